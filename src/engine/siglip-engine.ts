import { AutoModel, SiglipTextModel, SiglipVisionModel, Tensor, env } from '@huggingface/transformers';
import { planDevices, chooseThreadCount } from '../backend/device-plan.js';
import { probeWebGpu } from '../backend/webgpu-probe.js';
import { sharedMemoryWorks } from '../backend/thread-support.js';
import { SiglipError } from '../errors.js';
import { readLogitParams } from '../model/onnx-scalars.js';
import { l2Normalize, siglipLogits, sigmoidScores, softmax, topk as takeTopk } from '../model/scores.js';
import { SiglipImageProcessor } from '../processors/image/image-processor.js';
import { SiglipTextProcessor } from '../processors/text/text-processor.js';
import type { Device, Dtype, LoadProgress, Score, SiglipInfo } from '../types.js';
import type { EngineApi, EngineLoadOptions, WireImage } from './engine-api.js';
import { decodeWireImage } from './decode-wire-image.js';
import { LabelEmbeddingCache } from './label-embedding-cache.js';
import { configureRuntime, progressAggregator, routeFor, runtimeFetch } from './transformers-runtime.js';
import { WEBGPU_RETRY_ON_WASM } from './engine-api.js';
import { openLoadCache } from '../cache/load-cache.js';
import { LibraryEngine } from './library-engine.js';
import { LibraryPreprocessing, libraryStoreDeps } from './library-port.js';
import type { LibraryModelPort } from './library-engine.js';
import type { LibraryOp, LibraryResult } from './library-wire.js';

interface OnnxModel {
  (inputs: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  dispose(): Promise<unknown>;
}

interface ModelConfig {
  architectures?: string[];
  vision_config?: { hidden_size?: number };
  id2label?: Record<string, string>;
}

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

function isWebWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
}

async function fetchJson<T>(url: string): Promise<T> {
  let response: Response;
  try {
    response = await runtimeFetch(url);
  } catch (err) {
    throw SiglipError.wrap('MODEL_LOAD', `Could not fetch ${url}`, err);
  }
  if (!response.ok) throw new SiglipError('MODEL_LOAD', `Could not fetch ${url}: HTTP ${response.status}`);
  try {
    return (await response.json()) as T;
  } catch (err) {
    throw SiglipError.wrap('MODEL_LOAD', `${url} is not valid JSON`, err);
  }
}

function tensorRows(t: Tensor): Float32Array[] {
  const [rows, cols] = t.dims as [number, number];
  const data = t.data as Float32Array;
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) out.push(data.slice(r * cols, (r + 1) * cols));
  return out;
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
  private disposed = false;
  private deviceLost: string | undefined;
  /** Model passes run one at a time: library work and queued calls may arrive concurrently. */
  private runChain: Promise<unknown> = Promise.resolve();
  private readonly preprocessing = new LibraryPreprocessing();
  private readonly libraries = new LibraryEngine(() => this.libraryPort(), libraryStoreDeps());

  load(options: EngineLoadOptions, onProgress?: (p: LoadProgress) => void): Promise<SiglipInfo> {
    if (this.disposed) return Promise.reject(new SiglipError('DISPOSED', 'This Siglip instance was disposed'));
    this.loading ??= this.doLoad(options, onProgress);
    return this.loading;
  }

  private async doLoad(options: EngineLoadOptions, onProgress?: (p: LoadProgress) => void): Promise<SiglipInfo> {
    const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
    const threads = chooseThreadCount(options.numThreads, sharedMemoryWorks(), cores);
    configureRuntime({ wasmPaths: options.wasmPaths, numThreads: threads });
    const base = options.modelBaseUrl;
    const routeId = routeFor(base);
    const cache = await openLoadCache(options, onProgress);

    const config = await fetchJson<ModelConfig>(`${base}config.json`);
    const architectures = config.architectures ?? ['SiglipModel'];
    const isClassifier = architectures.includes('SiglipForImageClassification');
    const task: SiglipInfo['task'] = isClassifier ? 'image-classification' : 'zero-shot';
    if (!isClassifier && !architectures.some((a) => a === 'SiglipModel' || a === 'Siglip2Model')) {
      throw new SiglipError('MODEL_UNSUPPORTED', `Model architecture ${architectures.join(', ')} is not a SigLIP model this SDK can run`);
    }

    const imageProcessor = await SiglipImageProcessor.fromPretrained(base, { fetch: runtimeFetch });
    const textProcessorP = isClassifier ? undefined : SiglipTextProcessor.fromPretrained(base, { fetch: runtimeFetch });
    const logitP = isClassifier ? undefined : cache.logitParams(() => readLogitParams(base, { fetch: runtimeFetch }));
    // Keep the promises from rejecting unobserved while the sessions load.
    for (const p of [textProcessorP, logitP]) p?.catch(() => undefined);

    const probe = await probeWebGpu();
    const plan = planDevices(options.device, options.dtype, probe);
    const fallbackReason = options.fallbackReason ?? plan.skippedReason;
    const progress = progressAggregator(onProgress, cache.sourceOf);

    let sessions: { vision: OnnxModel; text?: OnnxModel; device: Device; dtype: Dtype } | undefined;
    for (const attempt of plan.attempts) {
      try {
        sessions = { ...(await cache.healing(() => this.loadSessions(routeId, attempt.device, attempt.dtype, isClassifier, imageProcessor.size, progress))), ...attempt };
        break;
      } catch (err) {
        if (err instanceof SiglipError && err.code !== 'INTERNAL') throw err;
        const message = err instanceof Error ? err.message : String(err);
        if (attempt.device === 'webgpu' && attempt !== plan.attempts[plan.attempts.length - 1]) {
          // A failed WebGPU initialisation leaves onnxruntime's WASM runtime unusable in this
          // realm (it then fails with bare numeric exceptions); the caller retries on WASM in a
          // fresh worker/module instead of here.
          throw new SiglipError('BACKEND_UNAVAILABLE', `WebGPU session failed: ${message}`, WEBGPU_RETRY_ON_WASM);
        }
        const code = attempt.device === 'webgpu' ? 'BACKEND_UNAVAILABLE' : 'MODEL_LOAD';
        throw new SiglipError(code, `Could not load ${options.model} (${attempt.dtype}) on ${attempt.device}: ${message}`, message);
      }
    }
    if (!sessions) throw new SiglipError('INTERNAL', 'no device attempt was made');

    const [textProcessor, logit] = await Promise.all([textProcessorP, logitP]);
    await cache.commit(sessions.dtype, !isClassifier);
    const labels = isClassifier ? id2labelList(config) : undefined;
    const info: SiglipInfo = {
      model: options.model,
      device: sessions.device,
      dtype: sessions.dtype,
      threads: sessions.device === 'wasm' ? threads : 0,
      ...(fallbackReason && sessions.device === 'wasm' ? { fallbackReason } : {}),
      task,
      ...(labels ? { labels } : {}),
      imageSize: imageProcessor.size,
      worker: isWebWorker(),
    };
    if (sessions.device === 'webgpu') this.watchWebGpuDevice();
    this.loaded = {
      info,
      imageProcessor,
      vision: sessions.vision,
      ...(sessions.text ? { text: sessions.text } : {}),
      ...(textProcessor ? { textProcessor } : {}),
      ...(logit ? { logit: { scaleExp: logit.logitScaleExp, bias: logit.logitBias } } : {}),
      ...(labels ? { labels } : {}),
      template: options.template,
      embedDim: config.vision_config?.hidden_size ?? 768,
    };
    onProgress?.({ status: 'ready', file: '', loaded: 0, total: 0, ...progress.totals() });
    return info;
  }

  private async loadSessions(
    routeId: string,
    device: Device,
    dtype: Dtype,
    isClassifier: boolean,
    imageSize: { width: number; height: number },
    progress: (p: { status: string; file?: string }) => void,
  ): Promise<{ vision: OnnxModel; text?: OnnxModel }> {
    const common = { device, dtype, progress_callback: progress } as const;
    if (isClassifier) {
      // transformers.js has no SiglipForImageClassification; AutoModel runs model.onnx and returns logits.
      const vision = (await AutoModel.from_pretrained(routeId, common)) as unknown as OnnxModel;
      if (device === 'webgpu') await this.smokeTest(vision, imageSize);
      return { vision };
    }
    const [vision, text] = await Promise.allSettled([
      SiglipVisionModel.from_pretrained(routeId, common) as unknown as Promise<OnnxModel>,
      SiglipTextModel.from_pretrained(routeId, common) as unknown as Promise<OnnxModel>,
    ]);
    if (vision.status === 'rejected' || text.status === 'rejected') {
      if (vision.status === 'fulfilled') await vision.value.dispose();
      if (text.status === 'fulfilled') await text.value.dispose();
      throw vision.status === 'rejected' ? vision.reason : (text as PromiseRejectedResult).reason;
    }
    if (device === 'webgpu') {
      // A session can be created on an adapter that then fails to run a kernel: try one pass now,
      // so a broken GPU shows up as a fallback at load time, not as an error in the first call.
      try {
        await this.smokeTest(vision.value, imageSize);
      } catch (err) {
        await vision.value.dispose();
        await text.value.dispose();
        throw err;
      }
    }
    return { vision: vision.value, text: text.value };
  }

  private async smokeTest(model: OnnxModel, size: { width: number; height: number }): Promise<void> {
    const probe = new Tensor('float32', new Float32Array(3 * size.width * size.height), [1, 3, size.height, size.width]);
    await model({ pixel_values: probe });
  }

  private ready(): Loaded {
    if (this.disposed) throw new SiglipError('DISPOSED', 'This Siglip instance was disposed; create a new one');
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
      const rgb = await Promise.all(group.map((img, i) => decodeWireImage(img, i)));
      const { pixelValues, dims } = m.imageProcessor.processPixels(rgb);
      const result = await this.run(m.vision, { pixel_values: new Tensor('float32', pixelValues, dims) });
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
      const result = await this.run(m.text, { input_ids: new Tensor('int64', flat, [group.length, group[0]?.length ?? 0]) });
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

  library<O extends LibraryOp>(name: string, op: O): Promise<LibraryResult<O>> {
    return this.libraries.run(name, op);
  }

  /** Raw pooled features of ready pixel_values (the library's vision pass). */
  async visionOnPixels(pixels: Float32Array, count: number): Promise<Float32Array[]> {
    const m = this.ready();
    const { height, width } = m.imageProcessor.size;
    const result = await this.run(m.vision, { pixel_values: new Tensor('float32', pixels, [count, 3, height, width]) });
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
      textFeatures: async (text, template) => (await this.textFeatures(m, [text], template))[0] as Float32Array,
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
    if (this.deviceLost !== undefined) {
      throw new SiglipError('BACKEND_UNAVAILABLE', `The WebGPU device was lost (${this.deviceLost}); continuing on WASM`, WEBGPU_RETRY_ON_WASM);
    }
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
    this.preprocessing.dispose();
    await Promise.all([m?.vision.dispose(), m?.text?.dispose()].map((p) => p?.catch(() => undefined)));
  }
}

function id2labelList(config: ModelConfig): string[] {
  const map = config.id2label ?? {};
  const ids = Object.keys(map).map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  if (!ids.length) throw new SiglipError('MODEL_LOAD', 'A SiglipForImageClassification config.json must have id2label');
  return ids.map((i) => map[String(i)] as string);
}

interface LosableDevice {
  readonly lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
}

/** onnxruntime-web publishes the GPUDevice it created on its env once the WebGPU EP is initialised. */
function webGpuDevice(): LosableDevice | undefined {
  const onnx = env.backends.onnx as { webgpu?: { device?: LosableDevice } };
  const device = onnx.webgpu?.device;
  return device && typeof device === 'object' && 'lost' in device ? device : undefined;
}

/** Test hook: simulates a GPU reset by destroying the device onnxruntime uses. */
export function loseWebGpuDeviceForTesting(): boolean {
  const device = webGpuDevice();
  device?.destroy();
  return device !== undefined;
}

export function createEngine(): EngineApi {
  return new SiglipEngine();
}
