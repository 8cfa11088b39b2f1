/** Public types shared by the main-thread client, the worker and the inline engine. */

export type Device = 'webgpu' | 'wasm';
export type DeviceOption = 'auto' | Device;

export type { DeviceFallback, DeviceFallbackCode } from './errors.js';

export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
export type DtypeOption = 'auto' | Dtype;

/** Anything the SDK accepts as an image. URLs may be http(s):, data: or blob:. */
export type ImageInput =
  | string
  | URL
  | Blob
  | ImageBitmap
  | ImageData
  | OffscreenCanvas
  | HTMLImageElement
  | HTMLCanvasElement
  | HTMLVideoElement;

export interface LoadProgress {
  /**
   * `initiate` → `progress`* → `done` per file, then one `ready` for the whole model. `warning`
   * (see `warning`) reports a cache problem the load worked around, once per kind.
   */
  status: 'initiate' | 'progress' | 'done' | 'ready' | 'warning';
  /** File path inside the model folder, e.g. `onnx/vision_model.onnx`; empty for `ready`. */
  file: string;
  /** Bytes of this file received so far. */
  loaded: number;
  /** Size of this file in bytes when known (0 when the server did not say). */
  total: number;
  /** Bytes received so far over all files of this load. */
  totalLoaded: number;
  /** Sum of the known sizes of all files started so far. */
  totalBytes: number;
  /** Where the file came from, once known. */
  source?: 'network' | 'cache';
  /** Set when `status` is `warning`. */
  warning?: CacheWarning;
}

/**
 * Cache problems never fail a load; they are reported once per load through onProgress:
 *  - CACHE_UNAVAILABLE: IndexedDB cannot be used (private mode, blocked storage) → no caching;
 *  - CACHE_QUOTA: not enough storage → files that did not fit load from the network next time;
 *  - CACHE_WRITE_FAILED: another storage error while writing;
 *  - CACHE_INTEGRITY: a stored file was corrupt (deleted and re-downloaded) or a download did not
 *    match the server's sha256 (not stored).
 */
export type CacheWarningCode = 'CACHE_UNAVAILABLE' | 'CACHE_QUOTA' | 'CACHE_WRITE_FAILED' | 'CACHE_INTEGRITY';

export interface CacheWarning {
  readonly code: CacheWarningCode;
  readonly message: string;
  /** The file concerned, when there is one. */
  readonly url?: string;
}

/** Where model files are kept between visits. */
export type CacheMode = 'indexeddb' | 'none';

export interface SiglipOptions {
  /** Hub id (default `Xenova/siglip-base-patch16-224`) or URL of a model folder (absolute or relative to the page). */
  model?: string;
  /** Default `auto`: WebGPU when an adapter works, else WASM (see `info.fallbackReason`). */
  device?: DeviceOption;
  /**
   * Default `auto` = `fp32`: the only precision whose scores match Python transformers within 1e-4.
   * `q8` is ~4× smaller and faster on WASM; `fp16`/`q4f16` need WebGPU with `shader-f16`.
   */
  dtype?: DtypeOption;
  /** Default true: all model work runs in a Web Worker. false runs it inline on the calling thread. */
  worker?: boolean;
  /** Default `This is a photo of {label}.` (`{}` is accepted as placeholder too). */
  template?: string;
  onProgress?: (p: LoadProgress) => void;
  /** Host for hub ids; default `https://huggingface.co/`. */
  remoteHost?: string;
  /**
   * Where the onnxruntime `.wasm` is served: a folder (holding `ort-wasm-simd-threaded.asyncify.wasm`,
   * like dist/ort/) or the full `.wasm` URL. Default: the file your bundler emitted from dist/ort/, or
   * `ort/` next to `workerUrl` when only that is given.
   */
  wasmPaths?: string;
  /** WASM threads; default: hardware concurrency (max 8) when cross-origin isolated, else 1. */
  numThreads?: number;
  /** Where dist/siglip-web.worker.js is served (default: the file your bundler emitted, or next to the drop-in script). */
  workerUrl?: string | URL;
  /** Aborts the load: the returned promise rejects with code ABORTED and the worker is stopped. */
  signal?: AbortSignal;
  /**
   * Called when `info.device` changes after load: the worker is restarted transparently after a
   * crash, and a restart may land on another device (e.g. WASM when the GPU went away).
   */
  onDeviceChange?: (info: SiglipInfo) => void;
  /**
   * Default `indexeddb`: model files, the onnxruntime binaries and derived model metadata are kept in
   * IndexedDB, so later visits load from the device and work offline. `none` downloads every time.
   */
  cache?: CacheMode;
  /**
   * Default false: cached files are checked by size on every load. true also re-hashes them
   * (sha256, ~1 s per 100 MB in a worker) and re-downloads any that changed on disk.
   */
  verifyCache?: boolean;
  /** Default false: ask the browser to keep this origin's storage under pressure (`navigator.storage.persist()`). */
  persistCache?: boolean;
}

export interface SiglipInfo {
  readonly model: string;
  readonly device: Device;
  readonly dtype: Dtype;
  readonly threads: number;
  /** Why `device` is not WebGPU when WebGPU was asked for or auto-detected. */
  readonly fallbackReason?: string;
  /** `zero-shot` for SiglipModel checkpoints, `image-classification` for SiglipForImageClassification heads. */
  readonly task: 'zero-shot' | 'image-classification';
  /** Labels of a classification head (config.id2label), in id order. */
  readonly labels?: readonly string[];
  readonly imageSize: { readonly width: number; readonly height: number };
  readonly worker: boolean;
}

export interface Score {
  label: string;
  score: number;
}

export interface ClassifyOptions {
  /** Overrides the instance template for this call; `{label}` or `{}` placeholder. */
  template?: string;
  /** Keep only the best `topk` labels (default: all for zero-shot, 5 for classification heads as in Python). */
  topk?: number;
  signal?: AbortSignal;
}

export interface EmbedImageOptions {
  /** Default true (L2-normalized). false returns Python's `get_image_features` pooled output. */
  normalize?: boolean;
  signal?: AbortSignal;
}

export interface EmbedTextOptions {
  /** Default false: the text is embedded as given. A string applies that template. */
  template?: string | false;
  normalize?: boolean;
  signal?: AbortSignal;
}

export interface Siglip {
  readonly info: SiglipInfo;
  classify(image: ImageInput, labels: readonly string[], options?: ClassifyOptions): Promise<Score[]>;
  classify(images: readonly ImageInput[], labels: readonly string[], options?: ClassifyOptions): Promise<Score[][]>;
  /** For classification-head checkpoints the labels come from the model. */
  classify(image: ImageInput, options?: ClassifyOptions): Promise<Score[]>;
  classify(images: readonly ImageInput[], options?: ClassifyOptions): Promise<Score[][]>;
  embedImage(image: ImageInput, options?: EmbedImageOptions): Promise<Float32Array>;
  embedImage(images: readonly ImageInput[], options?: EmbedImageOptions): Promise<Float32Array[]>;
  embedText(text: string, options?: EmbedTextOptions): Promise<Float32Array>;
  embedText(texts: readonly string[], options?: EmbedTextOptions): Promise<Float32Array[]>;
  /**
   * Opens (or creates) the persistent photo library `name` (default `default`) for this model.
   * Rejects with LIBRARY_MISMATCH when the library holds embeddings of another model or dtype.
   */
  openLibrary(name?: string): Promise<import('./library-types.js').PhotoLibrary>;
  dispose(): Promise<void>;
}

/** One cached file, as `cache.list()` reports it. */
export interface CachedFile {
  readonly url: string;
  /** Path inside the model folder, e.g. `onnx/vision_model_quantized.onnx`. */
  readonly file: string;
  readonly size: number;
  /** Weight precision, for ONNX files. */
  readonly dtype?: Dtype;
  readonly contentType: string;
  readonly sha256: string;
  /** ms since epoch. */
  readonly storedAt: number;
}

export interface CachedModel {
  /** The `model` option it was loaded with (hub id or URL); `onnxruntime-web` for the runtime binaries. */
  readonly model: string;
  readonly baseUrl: string;
  readonly kind: 'model' | 'runtime';
  readonly files: readonly CachedFile[];
  /** Bytes of all files. */
  readonly size: number;
  /** Precisions that loaded completely from this cache (i.e. `has(model, { dtype })` is true). */
  readonly dtypes: readonly Dtype[];
  /** Latest storedAt of its files. */
  readonly storedAt: number;
}

export interface CacheUsage {
  /** Bytes of all cached files (what `clear()` would free). */
  readonly bytes: number;
  /** Origin-wide usage and quota from `navigator.storage.estimate()`, when available. */
  readonly usage?: number;
  readonly quota?: number;
  /** Whether the browser agreed to keep this origin's storage (`navigator.storage.persisted()`). */
  readonly persisted?: boolean;
}

export interface CacheModelOptions {
  /** Host used to resolve hub ids, as given to createSiglip (default `https://huggingface.co/`). */
  remoteHost?: string;
}

/** Cache management; reads the same IndexedDB database the worker writes. */
export interface SiglipCache {
  list(): Promise<CachedModel[]>;
  usage(): Promise<CacheUsage>;
  /** True when `model` (in `dtype`, or any dtype) loaded completely from the cache and all its entries are still there. */
  has(model: string, options?: CacheModelOptions & { dtype?: Dtype }): Promise<boolean>;
  /** Deletes every file and metadata entry of `model`; resolves to the number of bytes freed. */
  delete(model: string, options?: CacheModelOptions): Promise<number>;
  /** Deletes everything siglip-web cached (models and runtime). */
  clear(): Promise<void>;
}
