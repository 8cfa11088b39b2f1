// Library benchmark page (issue 10): indexing throughput vs a bare batched vision pass, memory while
// indexing, and search/tag on large imported libraries. Served under /coi/ (threaded WASM); driven
// by bench/library-cases.mjs through page.evaluate.
import * as SiglipWeb from '../dist/siglip-web.mjs';

const MODELS_BASE = new URL('./models/', location.href).href; // bench/models/current -> --model DIR
const PHOTOS_BASE = new URL('./photos/', location.href).href; // bench/photos -> bench/make-photos.sh output
const FIXTURE_MODEL = new URL('../test/fixtures/siglip-shapes/', location.href).href;
const ORT_BASE = new URL('../node_modules/onnxruntime-web/dist/', location.href).href;
const TJS_URL = new URL('../node_modules/@huggingface/transformers/dist/transformers.min.js', location.href).href;

// ---- main-thread long tasks ---------------------------------------------------------------------
const longTasks = [];
try {
  new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask' });
} catch { /* not supported */ }
const longestTaskBetween = (t0, t1) => longTasks.filter((t) => t.start + t.duration >= t0 && t.start < t1).reduce((m, t) => Math.max(m, t.duration), 0);

// ---- photos -------------------------------------------------------------------------------------
const bases = {}; // size -> Blob[]
async function loadBases(size) {
  if (bases[size]) return bases[size];
  const out = [];
  for (let i = 0; ; i++) {
    const res = await fetch(`${PHOTOS_BASE}photo_${size}_${i}.jpg`);
    if (!res.ok) break;
    out.push(await res.blob());
  }
  if (out.length === 0) throw new Error(`no base photos photo_${size}_*.jpg under bench/photos (run bench/make-photos.sh)`);
  bases[size] = out;
  return out;
}

/** A minimal EXIF APP1 segment holding only IFD0 Orientation (big-endian TIFF). */
function exifOrientation(orientation) {
  return new Uint8Array([
    0xff, 0xe1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, // APP1, length 34, "Exif\0\0"
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // "MM", 42, IFD0 at 8
    0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00, // 1 entry: 0x0112 SHORT 1 = orientation
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
}
function comment(text) {
  const bytes = new TextEncoder().encode(text);
  const seg = new Uint8Array(4 + bytes.length);
  seg.set([0xff, 0xfe, (bytes.length + 2) >> 8, (bytes.length + 2) & 0xff]);
  seg.set(bytes, 4);
  return seg;
}
const ORIENTATIONS = [1, 6, 3, 8];

/**
 * Photo `i` of a run: base photo i % bases, with EXIF orientation 1/6/3/8 and a unique comment, so
 * every photo has its own sha-256 while the decode work is that of a real phone photo. The Blob
 * references the base (no copy), so 2,000 photos cost no page memory.
 */
function photo(baseList, i, tag) {
  const base = baseList[i % baseList.length];
  return { blob: new Blob([base.slice(0, 2), exifOrientation(ORIENTATIONS[i % 4]), comment(`${tag} ${i}`), base.slice(2)], { type: 'image/jpeg' }), name: `${tag}_${i}.jpg` };
}

async function* photos(spec, tag) {
  // spec: [{ size, every }]: photo i uses the first entry whose `every` divides i (last entry = default).
  const lists = await Promise.all(spec.sizes.map((s) => loadBases(s.size)));
  for (let i = 0; i < spec.n; i++) {
    const k = spec.sizes.findIndex((s) => !s.every || i % s.every === 0);
    yield photo(lists[k], i, tag);
  }
}

// ---- SDK and bare vision pass -------------------------------------------------------------------
const state = { sdk: {}, libs: {} };
let tjs;

async function loadTjs(threads) {
  if (!tjs) {
    tjs = await import(TJS_URL);
    tjs.env.allowLocalModels = true;
    tjs.env.allowRemoteModels = false;
    tjs.env.localModelPath = new URL(MODELS_BASE).pathname;
    tjs.env.backends.onnx.wasm.wasmPaths = { mjs: `${ORT_BASE}ort-wasm-simd-threaded.asyncify.mjs`, wasm: `${ORT_BASE}ort-wasm-simd-threaded.asyncify.wasm` };
  }
  tjs.env.backends.onnx.wasm.numThreads = threads;
  return tjs;
}

const ops = {
  async loadSiglip({ key = 'main', model = 'current', dtype, threads }) {
    const t0 = performance.now();
    const url = model === 'fixture' ? FIXTURE_MODEL : `${MODELS_BASE}${model}/`;
    state.sdk[key] = await SiglipWeb.createSiglip({ model: url, dtype, device: 'wasm', numThreads: threads });
    return { ms: performance.now() - t0, info: state.sdk[key].info };
  },
  async disposeSiglip({ key = 'main' }) {
    await state.sdk[key]?.dispose();
    delete state.sdk[key];
  },
  async openLibrary({ key = 'main', name }) {
    const t0 = performance.now();
    state.libs[name] = await state.sdk[key].openLibrary(name);
    return { ms: performance.now() - t0 };
  },
  async clearLibrary({ name }) {
    await state.libs[name].clear();
  },

  /** library.add over n generated photos; photos/s from the first to the last photo. */
  async index({ name, n, sizes, tag }) {
    const lib = state.libs[name];
    let after100 = null;
    const t0 = performance.now();
    const report = await lib.add(photos({ n, sizes }, tag), {
      onProgress: (p) => { if (after100 === null && p.done >= 100) after100 = Date.now(); },
    });
    const t1 = performance.now();
    const ms = t1 - t0;
    return {
      ms, photosPerSecond: (report.added + report.skipped) / (ms / 1000), added: report.added, skipped: report.skipped,
      failed: report.failed.map((f) => `${f.name}: ${f.error.code} ${f.error.message}`).slice(0, 5), failedCount: report.failed.length,
      longestMainThreadTask: longestTaskBetween(t0, t1), after100EpochMs: after100, endEpochMs: Date.now(),
    };
  },

  /** The floor: transformers.js vision tower session.run on ready pixel_values, batches of `batch`. */
  async loadBare({ threads, dtype }) {
    const t = await loadTjs(threads);
    const t0 = performance.now();
    state.vision ??= await t.SiglipVisionModel.from_pretrained('current', { dtype, device: 'wasm' });
    state.proc ??= await t.AutoProcessor.from_pretrained('current');
    return { ms: performance.now() - t0, numThreads: t.env.backends.onnx.wasm.numThreads };
  },
  /** The floor of a new-text search: transformers.js text tower session.run on 64 ready token ids. */
  async bareText({ threads, dtype, rounds }) {
    const t = await loadTjs(threads);
    state.text ??= await t.SiglipTextModel.from_pretrained('current', { dtype, device: 'wasm' });
    const ids = new BigInt64Array(64).fill(1n);
    const times = [];
    for (let r = 0; r < rounds + 1; r++) {
      for (let i = 0; i < 8; i++) ids[i] = BigInt(100 + ((r * 31 + i * 7) % 5000)); // new tokens each round
      const t0 = performance.now();
      await state.text({ input_ids: new t.Tensor('int64', ids, [1, 64]) });
      if (r > 0) times.push(performance.now() - t0); // round 0 warms the session up
    }
    return { times };
  },
  async bare({ batch, rounds }) {
    const { Tensor, RawImage } = tjs;
    if (!state.pixels) {
      const list = await loadBases('640x480');
      state.pixels = [];
      for (let i = 0; i < batch; i++) {
        const url = URL.createObjectURL(list[i % list.length]);
        state.pixels.push((await state.proc(await RawImage.read(url))).pixel_values.data);
        URL.revokeObjectURL(url);
      }
    }
    const plane = state.pixels[0].length;
    const side = Math.round(Math.sqrt(plane / 3));
    const data = new Float32Array(plane * batch);
    state.pixels.slice(0, batch).forEach((p, i) => data.set(p, i * plane));
    const times = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await state.vision({ pixel_values: new Tensor('float32', data, [batch, 3, side, side]) });
      times.push(performance.now() - t0);
    }
    return { times, photosPerSecond: times.map((ms) => batch / (ms / 1000)) };
  },

  // -- large libraries: import a Python-format file, then time reopen / search / tag
  async importFile({ name, url }) {
    const blob = await (await fetch(url)).blob();
    const t0 = performance.now();
    const n = await state.libs[name].import(blob);
    return { ms: performance.now() - t0, n, bytes: blob.size };
  },
  /** Open the library and answer a first text search (the model is already loaded). */
  async reopenAndSearch({ key = 'main', name, query }) {
    const t0 = performance.now();
    const lib = await state.sdk[key].openLibrary(name);
    const tOpen = performance.now();
    const hits = await lib.search(query, { k: 20 });
    const t1 = performance.now();
    state.libs[name] = lib;
    return { openMs: tOpen - t0, firstSearchMs: t1 - tOpen, totalMs: t1 - t0, hits: hits.length, count: await lib.count(), longestMainThreadTask: longestTaskBetween(t0, t1) };
  },
  async searchTimes({ name, queries, k = 20, asVector = false }) {
    const lib = state.libs[name];
    const times = [];
    let vector = null;
    if (asVector) vector = await state.sdk.main.embedText('a photo of a dog');
    const t00 = performance.now();
    for (const q of queries) {
      const t0 = performance.now();
      await lib.search(asVector ? vector : q, { k });
      times.push(performance.now() - t0);
    }
    return { times, longestMainThreadTask: longestTaskBetween(t00, performance.now()) };
  },
  async tagTimes({ name, labels, rounds, ids }) {
    const lib = state.libs[name];
    const times = [];
    let count = 0;
    const t00 = performance.now();
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const out = await lib.tag(labels, { topk: 3, ...(ids ? { ids } : {}) });
      times.push(performance.now() - t0);
      count = Object.keys(out).length;
    }
    return { times, photos: count, longestMainThreadTask: longestTaskBetween(t00, performance.now()) };
  },
  async listIds({ name, limit }) {
    return (await state.libs[name].list({ limit })).map((p) => p.id);
  },
};

window.bench = { run: (name, args = {}) => ops[name](args) };
window.benchReady = true;
