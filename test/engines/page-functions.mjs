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
