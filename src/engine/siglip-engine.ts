import { chooseThreadCount, fallbackFor, planDevices, WASM_INIT_TIMEOUT_MS, type DevicePlan } from '../backend/device-plan.js';
import { probeWebGpu } from '../backend/webgpu-probe.js';
import { sharedMemoryWorks } from '../backend/thread-support.js';
import { SiglipError } from '../errors.js';
import type { EngineApi, EngineLoadOptions, LoadStage, WireImage } from '../protocol/engine-protocol.js';
import type { SiglipImageProcessor } from '../processors/image/image-processor.js';
import type { SiglipTextProcessor } from '../processors/text/text-processor.js';
import { l2Normalize, siglipLogits, sigmoidScores, softmax, topk as takeTopk } from '../scores/scores.js';
import { modelCacheStore, type UseStore } from '../storage/idb-store.js';
import { ModelFileCache } from '../storage/model-file-cache.js';
import type { Device, Dtype, LoadProgress, Score, SiglipInfo } from '../types.js';
import type { ImageCodecs } from '../processors/image/decode-browser.js';
import { decodeWireImage } from './decode-wire-image.js';
import { LabelEmbeddingCache } from './label-embedding-cache.js';
import { TextQueryCache } from './text-query-cache.js';
import { openLoadCache, type LoadCache } from './load-cache.js';
import { loadModelFiles, type ModelFiles } from './model-files.js';
import { LibraryEngine, type LibraryModelPort } from './library-engine.js';
import { LibraryPreprocessing, libraryStoreDeps, type PreprocessRunner } from './library-port.js';
import type { LibraryOp, LibraryResult } from '../protocol/library-wire.js';
import {
  TransformersRuntime,
  floatTensor,
  int64Tensor,
  progressAggregator,
  tensorRows,
  webGpuDevice,
  type OnnxModel,
  type Tensor,
} from './transformers-adapter.js';

/** Images per vision forward pass: bounds activation memory while keeping batches efficient. */
const VISION_BATCH = 8;
/** Texts per text forward pass. */
const TEXT_BATCH = 32;

interface Loaded {
  readonly info: SiglipInfo;
  readonly imageProcessor: SiglipImageProcessor;
  readonly vision: OnnxModel;
  readonly text?: OnnxModel;
  readonly textProcessor?: SiglipTextProcessor;
  readonly logit?: { readonly scaleExp: number; readonly bias: number };
  readonly labels?: readonly string[];
  readonly template: string;
  /** Width of the image embedding (vision hidden size). */
  readonly embedDim: number;
}

interface LoadedSessions {
  readonly vision: OnnxModel;
  readonly text?: OnnxModel;
  readonly device: Device;
  readonly dtype: Dtype;
  readonly fallbackReason?: string;
}

export interface EngineDependencies {
  /** The IndexedDB store model files are cached in (idb-keyval style); default: the SDK's own database. */
  readonly store?: () => UseStore;
  /** The network under the cache (default: the realm's fetch). */
  readonly fetch?: typeof fetch;
  /** Where photo-library preprocessing runs (default: inline on the engine's thread). */
  readonly preprocess?: () => PreprocessRunner;
  /** Decoders for formats browsers lack (JPEG 2000); without them those photos are refused. */
  readonly codecs?: ImageCodecs;
}

function isWebWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
}

function threadCountHere(requested: number | undefined): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return chooseThreadCount(requested, sharedMemoryWorks(), cores);
}

/**
 * The runtime start on its own, announced to the page: a threaded start can block this thread for
 * good, and then only the page can stop it and load again as `fallbackFor` says.
 */
async function startRuntimeWatched(runtime: TransformersRuntime, { plan, threads, onStage }: { readonly plan: DevicePlan; readonly threads: number; readonly onStage: ((s: LoadStage) => void) | undefined }): Promise<void> {
  const onStall = fallbackFor({ phase: 'runtime-stall', plan, threads });
  // Awaited: through comlink the page has armed its timer before the start can block this thread.
  await onStage?.({ stage: 'runtime-start', stallAfterMs: WASM_INIT_TIMEOUT_MS, ...(onStall ? { onStall } : {}) });
  await runtime.startRuntime();
  await onStage?.({ stage: 'runtime-ready' });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs SigLIP with transformers.js sessions and our Python-exact processors. Lives in the worker
 * (or inline when workers are unavailable); the client only ever talks to it through EngineApi.
 */
export class SiglipEngine implements EngineApi {
  private loaded?: Loaded;
  private loading?: Promise<SiglipInfo>;
  private readonly labelCache = new LabelEmbeddingCache();
  private readonly queryCache = new TextQueryCache();
  private disposed = false;
  private deviceLost: string | undefined;
  private fileCache: ModelFileCache | undefined;
  /** Model passes run one at a time: library work and queued calls may arrive concurrently. */
  private runChain: Promise<unknown> = Promise.resolve();
  private preprocessingInstance: LibraryPreprocessing | undefined;
  private get preprocessing(): LibraryPreprocessing {
    this.preprocessingInstance ??= new LibraryPreprocessing(this.deps.preprocess?.(), this.deps.codecs);
    return this.preprocessingInstance;
  }
  private readonly libraries = new LibraryEngine(() => this.libraryPort(), libraryStoreDeps());

  constructor(private readonly deps: EngineDependencies = {}) {}

  load(options: EngineLoadOptions, onProgress?: (p: LoadProgress) => void, onStage?: (s: LoadStage) => void): Promise<SiglipInfo> {
    if (this.disposed) return Promise.reject(SiglipError.disposed());
    this.loading ??= this.doLoad(options, onProgress, onStage);
    return this.loading;
  }

  /** config/processors/logit params, then sessions on the planned device, then the cache commit. */
  private async doLoad(options: EngineLoadOptions, onProgress?: (p: LoadProgress) => void, onStage?: (s: LoadStage) => void): Promise<SiglipInfo> {
    const threads = threadCountHere(options.numThreads);
    const runtime = new TransformersRuntime({
      wasmPaths: options.wasmPaths,
      numThreads: threads,
      // Only a threaded start can hang (thread workers that never come up); it then fails and is retried single-threaded.
      initTimeoutMs: threads > 1 ? WASM_INIT_TIMEOUT_MS : 0,
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
    });
    // Opened lazily: the store's database is only touched once a load asks for it.
    this.fileCache ??= new ModelFileCache((this.deps.store ?? modelCacheStore)());
    const cache = await openLoadCache(options, this.fileCache, runtime, onProgress);
    const files = await loadModelFiles(options.model, runtime.fetch, cache);
    const progress = progressAggregator(onProgress, cache.sourceOf);
    const sessions = await this.createSessions(options, runtime, cache, files, progress, { threads, onStage });
    const [textProcessor, logit] = await Promise.all([files.textProcessor, files.logit]);
    await cache.commit(sessions.dtype, files.task === 'zero-shot');
    const info: SiglipInfo = {
      model: options.model.id,
      device: sessions.device,
      dtype: sessions.dtype,
      threads: sessions.device === 'wasm' ? threads : 0,
      ...(sessions.fallbackReason && sessions.device === 'wasm' ? { fallbackReason: sessions.fallbackReason } : {}),
      task: files.task,
      ...(files.labels ? { labels: files.labels } : {}),
      imageSize: files.imageProcessor.size,
      worker: isWebWorker(),
    };
    if (sessions.device === 'webgpu') this.watchWebGpuDevice();
    this.loaded = {
      info,
      imageProcessor: files.imageProcessor,
      vision: sessions.vision,
      ...(sessions.text ? { text: sessions.text } : {}),
      ...(textProcessor ? { textProcessor } : {}),
      ...(logit ? { logit: { scaleExp: logit.logitScaleExp, bias: logit.logitBias } } : {}),
      ...(files.labels ? { labels: files.labels } : {}),
      template: options.template,
      embedDim: files.embedDim,
    };
    await this.warmUp(this.loaded);
    onProgress?.({ status: 'ready', file: '', loaded: 0, total: 0, ...progress.totals() });
    return info;
  }

  /**
   * One pass of the cheaper tower on a dummy input before load resolves. The first run of a
   * session is several times slower than the next ones (the browser compiles onnxruntime's hot
   * WebAssembly code, WebGPU its shaders, onnxruntime sizes its buffers); paying it here keeps it
   * off the user's first call, e.g. a search right after a reload. Not fatal: a real call reports
   * any error itself.
   */
  private async warmUp(m: Loaded): Promise<void> {
    try {
      if (m.text && m.textProcessor) await this.textFeatures(m, [''], false);
      else {
        const { height, width } = m.imageProcessor.size;
        await this.run(m.vision, { pixel_values: floatTensor(new Float32Array(3 * height * width), [1, 3, height, width]) });
      }
    } catch {
      // deliberately ignored: see above
    }
  }

  /** Loads on the planned device; whether a failure moves to another device is backend's fallbackFor. */
  private async createSessions(
    options: EngineLoadOptions,
    runtime: TransformersRuntime,
    cache: LoadCache,
    files: ModelFiles,
    progress: (p: { status: string; file?: string }) => void,
    { threads, onStage }: { readonly threads: number; readonly onStage: ((s: LoadStage) => void) | undefined },
  ): Promise<LoadedSessions> {
    const plan = planDevices(options.device, options.dtype, await probeWebGpu());
    const fallbackReason = options.fallbackReason ?? plan.skipped?.reason;
    const request = { device: plan.device, dtype: plan.dtype, isClassifier: files.task === 'image-classification', imageSize: files.imageProcessor.size, progress };
    try {
      const sessions = await cache.healing(async () => {
        await startRuntimeWatched(runtime, { plan, threads, onStage });
        return runtime.loadSessions(options.model, request);
      });
      return { ...sessions, device: plan.device, dtype: plan.dtype, ...(fallbackReason ? { fallbackReason } : {}) };
    } catch (err) {
      if (err instanceof SiglipError && err.code !== 'INTERNAL') throw err;
      const message = err instanceof Error ? err.message : String(err);
      // Not retried here: a failed WebGPU start leaves this realm's WASM runtime unusable, so the
      // client loads again in a fresh engine (see DevicePlan).
      const fallback = fallbackFor({ phase: 'load', plan, message, threads, retried: options.fallbackReason !== undefined });
      if (fallback) throw SiglipError.deviceFallback(fallback, message);
      const code = plan.device === 'webgpu' ? 'BACKEND_UNAVAILABLE' : 'MODEL_LOAD';
      throw new SiglipError(code, `Could not load ${options.model.id} (${plan.dtype}) on ${plan.device}: ${message}`, message);
    }
  }

  private ready(): Loaded {
    if (this.disposed) throw SiglipError.disposed();
    if (!this.loaded) throw new SiglipError('INTERNAL', 'The model is not loaded yet');
    return this.loaded;
  }

  async classify(images: WireImage[], labels: string[] | null, template: string | null, topk: number | null): Promise<Score[][]> {
    const m = this.ready();
    if (m.info.task === 'image-classification') return this.classifyWithHead(m, images, labels, topk);
    if (!labels) throw new SiglipError('INVALID_INPUT', 'classify() needs labels for a zero-shot model: classify(image, ["a cat", "a dog"])');
    const tpl = template ?? m.template;
    const [imageEmbeds, labelEmbeds] = await Promise.all([this.imageFeatures(m, images, true), this.labelEmbeddings(m, labels, tpl)]);
    const logit = m.logit;
    if (!logit) throw new SiglipError('INTERNAL', 'logit parameters missing');
    const logits = siglipLogits(imageEmbeds, labelEmbeds, logit.scaleExp, logit.bias);
    return logits.map((row) => takeTopk(sigmoidScores(row), labels, topk ?? labels.length));
  }

  private async classifyWithHead(m: Loaded, images: WireImage[], labels: string[] | null, topk: number | null): Promise<Score[][]> {
    const all = m.labels ?? [];
    if (labels) {
      const unknown = labels.filter((l) => !all.includes(l));
      if (unknown.length) {
        throw new SiglipError('INVALID_INPUT', `This model classifies into its own ${all.length} labels (info.labels); unknown: ${unknown.slice(0, 5).join(', ')}`);
      }
    }
    const logits = await this.runVision(m, images, 'logits');
    return logits.map((row) => {
      // Python's image-classification pipeline applies softmax when problem_type is unset.
      const probs = softmax(row);
      if (!labels) return takeTopk(probs, all, topk ?? Math.min(5, all.length));
      const wanted = labels.map((l) => probs[all.indexOf(l)] ?? 0);
      return takeTopk(wanted, labels, topk ?? labels.length);
    });
  }

  async embedImages(images: WireImage[], normalize: boolean): Promise<Float32Array[]> {
    const m = this.ready();
    if (m.info.task !== 'zero-shot') throw new SiglipError('MODEL_UNSUPPORTED', 'This classification model has no image-embedding head; use a SiglipModel checkpoint');
    return this.imageFeatures(m, images, normalize);
  }

  async embedTexts(texts: string[], template: string | false, normalize: boolean): Promise<Float32Array[]> {
    const m = this.ready();
    const raw = await this.textFeatures(m, texts, template);
    return normalize ? raw.map(l2Normalize) : raw;
  }

  private async imageFeatures(m: Loaded, images: WireImage[], normalize: boolean): Promise<Float32Array[]> {
    const raw = await this.runVision(m, images, 'pooler_output');
    return normalize ? raw.map(l2Normalize) : raw;
  }

  private async runVision(m: Loaded, images: WireImage[], output: 'pooler_output' | 'logits'): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const group of chunks(images, VISION_BATCH)) {
      const rgb = await Promise.all(group.map((img, i) => decodeWireImage(img, i, this.deps.codecs)));
      const { pixelValues, dims } = m.imageProcessor.processPixels(rgb);
      const result = await this.run(m.vision, { pixel_values: floatTensor(pixelValues, dims) });
      const tensor = result[output];
      if (!tensor) throw new SiglipError('INFERENCE', `The vision model returned no ${output}`);
      out.push(...tensorRows(tensor));
    }
    return out;
  }

  private async textFeatures(m: Loaded, texts: string[], template: string | false): Promise<Float32Array[]> {
    if (!m.text || !m.textProcessor) throw new SiglipError('MODEL_UNSUPPORTED', 'This model has no text tower');
    const { inputIds } = m.textProcessor.encode(texts, { template });
    const out: Float32Array[] = [];
    for (const group of chunks(inputIds, TEXT_BATCH)) {
      const flat = BigInt64Array.from(group.flat(), (v) => BigInt(v));
      const result = await this.run(m.text, { input_ids: int64Tensor(flat, [group.length, group[0]?.length ?? 0]) });
      const pooled = result['pooler_output'];
      if (!pooled) throw new SiglipError('INFERENCE', 'The text model returned no pooler_output');
      out.push(...tensorRows(pooled));
    }
    return out;
  }

  /** Normalized label embeddings, computed once per (template, label) and reused across calls. */
  private async labelEmbeddings(m: Loaded, labels: string[], template: string): Promise<Float32Array[]> {
    const missing = this.labelCache.missing(template, labels);
    if (missing.length) {
      const embeds = await this.textFeatures(m, missing, template);
      missing.forEach((label, i) => this.labelCache.set(template, label, l2Normalize(embeds[i] as Float32Array)));
    }
    return labels.map((l) => this.labelCache.get(template, l) as Float32Array);
  }

  /** Raw features of a library search text; a repeated query skips the text tower. */
  private async searchTextFeatures(m: Loaded, text: string, template: string | false): Promise<Float32Array> {
    const key = TextQueryCache.key(m.info.model, m.info.dtype, template, text);
    const cached = this.queryCache.get(key);
    if (cached) return cached;
    const features = (await this.textFeatures(m, [text], template))[0] as Float32Array;
    this.queryCache.set(key, features);
    return features;
  }

  library<O extends LibraryOp>(name: string, op: O): Promise<LibraryResult<O>> {
    return this.libraries.run(name, op);
  }

  /** Raw pooled features of ready pixel_values (the library's vision pass). */
  async visionOnPixels(pixels: Float32Array, count: number): Promise<Float32Array[]> {
    const m = this.ready();
    const { height, width } = m.imageProcessor.size;
    const result = await this.run(m.vision, { pixel_values: floatTensor(pixels, [count, 3, height, width]) });
    const pooled = result['pooler_output'];
    if (!pooled) throw new SiglipError('INFERENCE', 'The vision model returned no pooler_output');
    return tensorRows(pooled);
  }

  /** What the library code may use of the loaded model. */
  private libraryPort(): LibraryModelPort {
    const m = this.ready();
    if (m.info.task !== 'zero-shot') throw new SiglipError('MODEL_UNSUPPORTED', 'Photo libraries need a zero-shot SigLIP model (SiglipModel), not a classification head');
    return this.preprocessing.port({
      space: { model: m.info.model, dtype: m.info.dtype, dim: m.embedDim },
      template: m.template,
      logit: m.logit,
      processor: m.imageProcessor,
      vision: (pixels, count) => this.visionOnPixels(pixels, count),
      imageFeatures: async (image) => (await this.imageFeatures(m, [image], false))[0] as Float32Array,
      textFeatures: (text, template) => this.searchTextFeatures(m, text, template),
      labelEmbeddings: (labels, template) => this.labelEmbeddings(m, labels, template),
    });
  }

  private run(model: OnnxModel, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const next = this.runChain.then(() => this.runNow(model, inputs));
    this.runChain = next.catch(() => undefined);
    return next;
  }

  private async runNow(model: OnnxModel, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    this.throwIfDeviceLost();
    try {
      return await model(inputs);
    } catch (err) {
      this.throwIfDeviceLost();
      throw SiglipError.wrap('INFERENCE', 'Inference failed', err);
    }
  }

  /** After a GPU reset the WebGPU sessions are dead for good; the client reloads on WASM. */
  private throwIfDeviceLost(): void {
    if (this.deviceLost === undefined) return;
    const fallback = fallbackFor({ phase: 'run', device: 'webgpu', message: this.deviceLost });
    throw fallback ? SiglipError.deviceFallback(fallback, this.deviceLost) : new SiglipError('BACKEND_UNAVAILABLE', `The WebGPU device was lost (${this.deviceLost})`);
  }

  private watchWebGpuDevice(): void {
    const device = webGpuDevice();
    device?.lost.then((info) => {
      if (!this.disposed) this.deviceLost = info.message ? `${info.reason}: ${info.message}` : String(info.reason);
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const m = this.loaded ?? (await this.loading?.then(() => this.loaded).catch(() => undefined));
    this.loaded = undefined;
    this.labelCache.clear();
    this.queryCache.clear();
    this.preprocessingInstance?.dispose();
    await Promise.all([m?.vision.dispose(), m?.text?.dispose()].map((p) => p?.catch(() => undefined)));
  }
}

/** Test hook: simulates a GPU reset by destroying the device onnxruntime uses. */
export function loseWebGpuDeviceForTesting(): boolean {
  const device = webGpuDevice();
  device?.destroy();
  return device !== undefined;
}

export function createEngine(deps: EngineDependencies = {}): EngineApi {
  return new SiglipEngine(deps);
}
