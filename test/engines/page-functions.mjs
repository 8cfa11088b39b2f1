/**
 * Functions that run inside the test harness page (test/browser/pages/harness.html), in any engine.
 * They are sent as source text, so they may only use their argument and the page's globals
 * (window.SiglipWeb, window.harness); they return plain data and never throw.
 */

/** Token ids of the Python reference strings, and pixel differences for every reference image. */
export async function processors({ texts, images, pixelFiles }) {
  const { SiglipWeb, harness } = window;
  const tp = await SiglipWeb.SiglipTextProcessor.fromPretrained(harness.fixture('siglip-shapes/'));
  const ids = tp.encode(texts, { template: false }).inputIds;
  const ip = await SiglipWeb.SiglipImageProcessor.fromPretrained(harness.fixture('siglip-shapes/'));
  const pixels = [];
  for (let i = 0; i < images.length; i++) {
    try {
      const { pixelValues } = await ip.process(harness.fixture(`reference/${images[i]}`));
      const ref = await harness.readFloat32(`reference/${pixelFiles[i]}`);
      pixels.push({ image: images[i], ...harness.diff(pixelValues, ref) });
    } catch (e) {
      pixels.push({ image: images[i], error: String(e) });
    }
  }
  return { ids, pixels };
}

/**
 * JPEG 2000 and JPEG-in-TIFF files through the page's image processor (decoding in the worker
 * bundle, OpenJPEG in WebAssembly for JPEG 2000), without resizing: the RGB levels of each file.
 */
export async function decodedLevels({ dir, files }) {
  const { SiglipWeb, harness } = window;
  const config = { do_resize: false, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] };
  const ip = await SiglipWeb.SiglipImageProcessor.fromPretrained(harness.fixture(dir), { fetch: async () => new Response(JSON.stringify(config)) });
  const out = [];
  for (const file of files) {
    try {
      const { pixelValues, dims } = await ip.process(harness.fixture(`${dir}${file}`));
      const [h, w] = dims.slice(-2);
      const rgb = new Array(w * h * 3);
      for (let c = 0; c < 3; c++) for (let i = 0; i < w * h; i++) rgb[i * 3 + c] = Math.round(pixelValues[c * w * h + i] * 127.5 + 127.5);
      out.push({ file, width: w, height: h, rgb });
    } catch (e) {
      out.push({ file, error: String(e.message ?? e) });
    }
  }
  return out;
}

/**
 * One visit: createSiglip, every zero-shot reference case, one bad input then a good one, dispose.
 * Records the progress events, which of them came after createSiglip resolved, and the page facts
 * info.threads must agree with.
 */
export async function visit({ model, worker, cases, badInput, numThreads }) {
  const { SiglipWeb, harness } = window;
  const events = [];
  let resolved = false;
  const late = [];
  const t0 = performance.now();
  const facts = {
    isolated: self.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    cores: navigator.hardwareConcurrency || 1,
    webgpu: 'gpu' in navigator,
    userAgent: navigator.userAgent,
  };
  let s;
  try {
    s = await SiglipWeb.createSiglip({
      model, device: 'wasm', worker, ...(numThreads ? { numThreads } : {}),
      onProgress: (p) => {
        const e = { status: p.status, file: p.file, ...(p.source ? { source: p.source } : {}), ...(p.warning ? { warning: { code: p.warning.code, message: p.warning.message } } : {}) };
        events.push(e);
        if (resolved) late.push(e.status);
      },
    });
  } catch (e) {
    return { ok: false, stage: 'load', code: e.code ?? 'none', message: String(e.message ?? e), events, facts };
  }
  resolved = true;
  const loadMs = performance.now() - t0;
  const result = { ok: true, info: s.info, facts, loadMs, events, scores: [], bad: null, afterBad: null };
  try {
    const t1 = performance.now();
    for (const c of cases) {
      const scores = await s.classify(harness.fixture(`reference/${c.image}`), c.candidate_labels, { template: c.hypothesis_template_used });
      result.scores.push(scores);
    }
    result.classifyMs = performance.now() - t1;
    try {
      await s.classify(badInput, ['a cat']);
      result.bad = { code: 'none (accepted)' };
    } catch (e) {
      result.bad = { code: e.code ?? 'none', name: e.name, isSiglipError: e instanceof SiglipWeb.SiglipError, message: String(e.message) };
    }
    const c = cases[0];
    result.afterBad = await s.classify(harness.fixture(`reference/${c.image}`), c.candidate_labels, { template: c.hypothesis_template_used });
  } catch (e) {
    Object.assign(result, { ok: false, stage: 'classify', code: e.code ?? 'none', message: String(e.message ?? e) });
  }
  // Progress that arrived after createSiglip() resolved (must stay empty).
  await new Promise((r) => setTimeout(r, 200));
  result.late = late;
  await s.dispose().catch(() => undefined);
  return result;
}

/** What the page's cache API says about one model folder. */
export async function cachedModel({ baseUrl }) {
  const list = await window.SiglipWeb.cache.list();
  const m = list.find((x) => x.baseUrl === baseUrl);
  return m ? { dtypes: m.dtypes, files: m.files.map((f) => ({ file: f.file, size: f.size })) } : null;
}

/**
 * A library larger than one embedding chunk (1,024 rows): imports `rows` deterministic rows, removes
 * some from sealed chunks and from the last one, and reports count, search order against a float64
 * reference, exactness of get(), and how each chunk is stored (Blob or ArrayBuffer).
 */
export async function libraryChunks({ model, worker, name, rows, dim, removed }) {
  const { SiglipWeb } = window;
  let s;
  try {
    let seed = 0x9e3779b9;
    const next = () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const data = new Float32Array(rows * dim);
    for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
    const ids = Array.from({ length: rows }, (_, i) => `row-${i}`);
    const header = JSON.stringify({
      __metadata__: { format: 'siglip-web-library/1', model: 'engines', ids: JSON.stringify(ids), names: JSON.stringify(ids.map(() => null)) },
      embeddings: { dtype: 'F32', shape: [rows, dim], data_offsets: [0, data.byteLength] },
    });
    const json = new TextEncoder().encode(header + ' '.repeat((8 - (header.length % 8)) % 8));
    const size = new DataView(new ArrayBuffer(8));
    size.setBigUint64(0, BigInt(json.length), true);
    s = await SiglipWeb.createSiglip({ model, device: 'wasm', worker });
    const lib = await s.openLibrary(name);
    await lib.clear();
    const imported = await lib.import(new Blob([size.buffer, json, data]));
    const removedCount = await lib.remove(removed.map((r) => ids[r]));
    const gone = new Set(removed);
    const query = data.slice(1700 * dim, 1701 * dim).map((x, i) => x + (i % 3 === 0 ? 0.3 : -0.1));
    const want = [];
    for (let r = 0; r < rows; r++) {
      if (gone.has(r)) continue;
      let dot = 0;
      let nn = 0;
      for (let i = 0; i < dim; i++) {
        dot += data[r * dim + i] * query[i];
        nn += data[r * dim + i] * data[r * dim + i];
      }
      want.push({ id: ids[r], cosine: dot / Math.sqrt(nn) });
    }
    want.sort((a, b) => b.cosine - a.cosine);
    const hits = await lib.search(query, { k: 30 });
    const getExact = [];
    for (const r of [1, 1022, 1025, 2046, 2049, rows - 2]) {
      const got = await lib.get(ids[r]);
      getExact.push(!!got && got.embedding.every((x, i) => Object.is(x, data[r * dim + i])));
    }
    const chunkKinds = await new Promise((resolve, reject) => {
      const open = indexedDB.open(`siglip-web-library:${name}`);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const req = open.result.transaction('chunks').objectStore('chunks').getAll();
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          resolve(req.result.map((c) => `${c.chunk}:${c.data instanceof Blob ? 'Blob' : c.data instanceof ArrayBuffer ? 'ArrayBuffer' : typeof c.data}`));
          open.result.close();
        };
      };
    });
    return { ok: true, imported, removedCount, count: await lib.count(), order: hits.map((h) => h.id), want: want.slice(0, 30).map((w) => w.id), getExact, chunkKinds };
  } catch (e) {
    return { ok: false, code: e.code ?? 'none', message: String(e.message ?? e) };
  } finally {
    await s?.dispose().catch(() => undefined);
  }
}

export async function clearCache() {
  await window.SiglipWeb.cache.clear();
  return true;
}

/**
 * Photo library (issue 10): open library `name` on the fixture model, optionally clear it and add
 * the reference images, then search by text. Returns counts and the ranking (file names).
 */
export async function library({ model, worker, name, images, fresh, query }) {
  const { SiglipWeb, harness } = window;
  const events = [];
  let s;
  try {
    s = await SiglipWeb.createSiglip({
      model, device: 'wasm', worker,
      onProgress: (p) => events.push({ status: p.status, file: p.file, ...(p.source ? { source: p.source } : {}), ...(p.warning ? { warning: { code: p.warning.code, message: p.warning.message } } : {}) }),
    });
    const lib = await s.openLibrary(name);
    let report = null;
    if (fresh) {
      await lib.clear();
      const files = await Promise.all(images.map(async (p) => new File([await (await fetch(harness.fixture(`reference/${p}`))).blob()], p.split('/').pop(), { type: p.endsWith('.png') ? 'image/png' : 'image/jpeg', lastModified: 1_700_000_000_000 })));
      const r = await lib.add(files);
      report = { added: r.added, skipped: r.skipped, failed: r.failed.map((f) => `${f.name}: ${f.error.code} ${f.error.message}`) };
    }
    const count = await lib.count();
    const hits = await lib.search(query, { template: false, k: images.length });
    return { ok: true, report, count, ranking: hits.map((h) => h.name), events, late: [] };
  } catch (e) {
    return { ok: false, stage: 'library', code: e.code ?? 'none', message: String(e.message ?? e), events };
  } finally {
    await s?.dispose().catch(() => undefined);
  }
}
