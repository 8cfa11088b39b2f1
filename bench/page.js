// Benchmark page: siglip-web (worker) and transformers.js pipelines (main thread) side by side.
// Served under /coi/ so it is cross-origin isolated; driven by bench/run.mjs through page.evaluate.
import * as SiglipWeb from '../dist/siglip-web.mjs';

const params = new URLSearchParams(location.search);
const MODEL_ID = params.get('model') ?? 'current';
const MODELS_BASE = new URL('./models/', location.href).href; // bench/models/<id> -> --model DIR
const ORT_BASE = new URL('../node_modules/onnxruntime-web/dist/', location.href).href;
const TJS_URL = new URL('../node_modules/@huggingface/transformers/dist/transformers.min.js', location.href).href;

// ---- main-thread long tasks -------------------------------------------------------------------
const longTasks = [];
let observer;
try {
  observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  });
  observer.observe({ type: 'longtask', buffered: true });
} catch { /* not supported */ }

// A second, independent witness: a 10 ms heartbeat; the largest gap between beats is how long the
// main thread could not answer.
let lastBeat = performance.now();
const gaps = [];
setInterval(() => { const now = performance.now(); gaps.push({ at: now, gap: now - lastBeat - 10 }); lastBeat = now; if (gaps.length > 100000) gaps.splice(0, 50000); }, 10);

/** Long tasks and heartbeat gaps in [t0, t1]; waits a little so the observer has delivered. */
async function blockingBetween(t0, t1) {
  await new Promise((r) => setTimeout(r, 100));
  for (const e of observer?.takeRecords() ?? []) longTasks.push({ start: e.startTime, duration: e.duration });
  const tasks = longTasks.filter((t) => t.start + t.duration >= t0 && t.start < t1);
  const longest = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
  const tbt = tasks.reduce((s, t) => s + Math.max(0, t.duration - 50), 0);
  const maxHeartbeatGap = gaps.filter((g) => g.at >= t0 && g.at - g.gap <= t1 + 100).reduce((m, g) => Math.max(m, g.gap), 0);
  return { count: tasks.length, longest, tbt, maxHeartbeatGap };
}

// ---- deterministic test images (JPEG, photo-sized) ----------------------------------------------
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const images = []; // { blob, url }
async function makeImages(n, width = 640, height = 480) {
  while (images.length < n) {
    const r = rng(images.length * 7919 + 17);
    const c = new OffscreenCanvas(width, height);
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, width, height);
    grad.addColorStop(0, `hsl(${r() * 360},70%,${30 + r() * 40}%)`);
    grad.addColorStop(1, `hsl(${r() * 360},70%,${30 + r() * 40}%)`);
    g.fillStyle = grad;
    g.fillRect(0, 0, width, height);
    for (let i = 0; i < 40; i++) {
      g.fillStyle = `hsla(${r() * 360},${50 + r() * 50}%,${20 + r() * 60}%,${0.3 + r() * 0.7})`;
      g.beginPath();
      g.ellipse(r() * width, r() * height, 10 + r() * 120, 10 + r() * 120, r() * 3, 0, Math.PI * 2);
      g.fill();
    }
    // Some fine texture so JPEG decoding is not trivially cheap.
    const id = g.getImageData(0, 0, width, height);
    for (let i = 0; i < id.data.length; i += 4) {
      const v = (r() - 0.5) * 24;
      id.data[i] += v; id.data[i + 1] += v; id.data[i + 2] += v;
    }
    g.putImageData(id, 0, 0);
    const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    images.push({ blob, url: URL.createObjectURL(blob) });
  }
  return { count: images.length, bytes: images.reduce((s, i) => s + i.blob.size, 0), width, height };
}

const LABEL_POOL = [
  'cat', 'dog', 'car', 'bicycle', 'tree', 'house', 'beach', 'mountain', 'pizza', 'laptop', 'phone', 'bird',
  'horse', 'boat', 'airplane', 'flower', 'book', 'chair', 'table', 'clock', 'guitar', 'piano', 'train', 'bus',
  'bridge', 'river', 'forest', 'desert', 'snow', 'city street', 'kitchen', 'bedroom', 'office', 'garden',
  'sunset', 'portrait of a person', 'group of people', 'sports game', 'concert', 'painting', 'sculpture',
  'screenshot', 'document', 'diagram', 'map', 'food on a plate', 'coffee cup', 'bottle', 'shoe', 'hat',
];
function labels(k) { return LABEL_POOL.slice(0, k); }
function texts(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(`a photo of ${LABEL_POOL[i % LABEL_POOL.length]} number ${i} seen from ${i % 2 ? 'above' : 'the side'}`);
  return out;
}

// ---- sides --------------------------------------------------------------------------------------
const state = { ours: {}, theirs: {} };
let tjs;

async function loadTjs(threads) {
  if (!tjs) {
    tjs = await import(TJS_URL);
    const { env } = tjs;
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    // A path, not an absolute URL: transformers.js only probes local files for non-URL paths.
    env.localModelPath = new URL(MODELS_BASE).pathname;
    env.backends.onnx.wasm.wasmPaths = {
      mjs: `${ORT_BASE}ort-wasm-simd-threaded.asyncify.mjs`,
      wasm: `${ORT_BASE}ort-wasm-simd-threaded.asyncify.wasm`,
    };
  }
  tjs.env.backends.onnx.wasm.numThreads = threads;
  return tjs;
}

const ops = {
  info: () => ({
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    deviceMemory: navigator.deviceMemory ?? null,
    userAgent: navigator.userAgent,
  }),
  makeImages: ({ n }) => makeImages(n),

  // -- loading ("time to first result" = load + one classify of a new image with one label)
  async loadOurs({ key = 'main', dtype, threads, firstResult = true }) {
    const t0 = performance.now();
    const s = await SiglipWeb.createSiglip({ model: `${MODELS_BASE}${MODEL_ID}/`, dtype, device: 'wasm', numThreads: threads });
    const tLoad = performance.now();
    if (firstResult) await s.classify(images[0].blob, labels(1));
    const t1 = performance.now();
    state.ours[key] = s;
    return { loadMs: tLoad - t0, firstResultMs: t1 - t0, info: s.info };
  },
  async disposeOurs({ key = 'main' }) {
    await state.ours[key]?.dispose();
    delete state.ours[key];
  },
  async loadTheirs({ which, dtype, threads, firstResult = true }) {
    const t0 = performance.now();
    const { pipeline, AutoTokenizer, SiglipTextModel, env } = await loadTjs(threads);
    const tImport = performance.now();
    const opts = { dtype, device: 'wasm' };
    if (which === 'zeroShot') state.theirs.zeroShot = await pipeline('zero-shot-image-classification', MODEL_ID, opts);
    else if (which === 'imageFeatures') state.theirs.imageFeatures = await pipeline('image-feature-extraction', MODEL_ID, opts);
    else if (which === 'text') {
      state.theirs.text = {
        tokenizer: await AutoTokenizer.from_pretrained(MODEL_ID),
        model: await SiglipTextModel.from_pretrained(MODEL_ID, opts),
      };
    } else throw new Error(`unknown ${which}`);
    const tLoad = performance.now();
    if (firstResult && which === 'zeroShot') await state.theirs.zeroShot(images[0].url, labels(1));
    const t1 = performance.now();
    return { importMs: tImport - t0, loadMs: tLoad - t0, firstResultMs: t1 - t0, numThreads: env.backends.onnx.wasm.numThreads };
  },

  // -- timed operations
  async oursClassify({ key = 'main', img, n = 1, k }) {
    const s = state.ours[key];
    const input = n === 1 ? images[img % images.length].blob : images.slice(img, img + n).map((i) => i.blob);
    const t0 = performance.now();
    const out = await s.classify(input, labels(k));
    const t1 = performance.now();
    return { ms: t1 - t0, blocking: await blockingBetween(t0, t1), top: (n === 1 ? out : out[0])[0] };
  },
  async theirsClassify({ img, n = 1, k }) {
    const p = state.theirs.zeroShot;
    const input = n === 1 ? images[img % images.length].url : images.slice(img, img + n).map((i) => i.url);
    // Let the observer see a clean start: the page is idle before the call.
    const t0 = performance.now();
    const out = await p(input, labels(k), { hypothesis_template: 'This is a photo of {}.' });
    const t1 = performance.now();
    return { ms: t1 - t0, blocking: await blockingBetween(t0, t1), top: (n === 1 ? out : out[0])[0] };
  },
  async oursEmbedImages({ img, n }) {
    const list = images.slice(img, img + n).map((i) => i.blob);
    const t0 = performance.now();
    const out = await state.ours.main.embedImage(list);
    return { ms: performance.now() - t0, dim: out[0].length, count: out.length };
  },
  async theirsEmbedImages({ img, n }) {
    const list = images.slice(img, img + n).map((i) => i.url);
    const t0 = performance.now();
    const out = await state.theirs.imageFeatures(list, { pool: true });
    return { ms: performance.now() - t0, dims: out.dims };
  },
  async oursEmbedText({ n }) {
    const t0 = performance.now();
    const out = await state.ours.main.embedText(texts(n));
    return { ms: performance.now() - t0, count: out.length };
  },
  async theirsEmbedText({ n }) {
    const { tokenizer, model } = state.theirs.text;
    const t0 = performance.now();
    const inputs = tokenizer(texts(n), { padding: 'max_length', truncation: true, max_length: 64 });
    const out = await model(inputs);
    return { ms: performance.now() - t0, dims: out.pooler_output.dims };
  },
  /** The floor: transformers.js image-feature-extraction pipeline on one image (decode+preprocess+vision). */
  async bareVisionPipeline({ img }) {
    const t0 = performance.now();
    await state.theirs.imageFeatures(images[img % images.length].url, { pool: true });
    return { ms: performance.now() - t0 };
  },
  /** The floor without preprocessing: one session.run of the vision tower on ready pixel_values. */
  async bareVisionRun({ img }) {
    const p = state.theirs.imageFeatures;
    const raw = await tjs.RawImage.read(images[img % images.length].url);
    const { pixel_values } = await p.processor(raw);
    const t0 = performance.now();
    await p.model({ pixel_values });
    return { ms: performance.now() - t0 };
  },
  /** Preprocessing only (decode + resize + normalize) of one 640x480 JPEG: ours (Python-exact) vs theirs. */
  async preprocess({ img, side }) {
    if (side === 'ours') {
      state.oursProc ??= await SiglipWeb.SiglipImageProcessor.fromPretrained(`${MODELS_BASE}${MODEL_ID}/`);
      const t0 = performance.now();
      await state.oursProc.process(images[img % images.length].blob);
      return { ms: performance.now() - t0 };
    }
    const p = state.theirs.imageFeatures;
    const t0 = performance.now();
    const raw = await tjs.RawImage.read(images[img % images.length].url);
    await p.processor(raw);
    return { ms: performance.now() - t0 };
  },
  async measureMemory() {
    if (!performance.measureUserAgentSpecificMemory) return null;
    const m = await performance.measureUserAgentSpecificMemory();
    const byScope = {};
    for (const b of m.breakdown) {
      for (const a of b.attribution) {
        const scope = a.scope ?? 'unknown';
        byScope[scope] = (byScope[scope] ?? 0) + b.bytes;
      }
      if (!b.attribution.length) byScope.shared = (byScope.shared ?? 0) + b.bytes;
    }
    return { bytes: m.bytes, byScope };
  },
  longTasks: () => longTasks.slice(),

  // -- exploration below the floor: vision tower variants (bench/explore.mjs)
  async loadVision({ dtype, threads, sessionOptions }) {
    const { SiglipVisionModel } = await loadTjs(threads);
    const key = `${dtype}${sessionOptions ? JSON.stringify(sessionOptions) : ''}`;
    const t0 = performance.now();
    (state.vision ??= {})[key] = await SiglipVisionModel.from_pretrained(MODEL_ID, { dtype, device: 'wasm', ...(sessionOptions ? { session_options: sessionOptions } : {}) });
    return { key, loadMs: performance.now() - t0 };
  },
  async visionRun({ key, img = 0, batch = 1 }) {
    const { Tensor } = tjs;
    state.pixels ??= [];
    const proc = state.theirs.imageFeatures?.processor ?? (state.proc ??= await tjs.AutoProcessor.from_pretrained(MODEL_ID));
    const px = [];
    for (let i = 0; i < batch; i++) {
      const j = (img + i) % images.length;
      state.pixels[j] ??= (await proc(await tjs.RawImage.read(images[j].url))).pixel_values.data;
      px.push(state.pixels[j]);
    }
    const plane = px[0].length;
    const data = new Float32Array(plane * batch);
    px.forEach((p, i) => data.set(p, i * plane));
    const t0 = performance.now();
    const out = await state.vision[key]({ pixel_values: new Tensor('float32', data, [batch, 3, 224, 224]) });
    const ms = performance.now() - t0;
    const pooled = out.pooler_output;
    return { ms, perImage: ms / batch, first: Array.from(pooled.data.slice(0, pooled.dims[1])) };
  },
};

window.bench = { run: (name, args = {}) => ops[name](args) };
window.benchReady = true;
