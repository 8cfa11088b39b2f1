import type { LibraryOp, LibraryResult } from './library-wire.js';
import type { CacheMode, Device, DeviceOption, Dtype, DtypeOption, LoadProgress, Score, SiglipInfo } from '../types.js';

/**
 * An image as it crosses from the caller to the engine. Only structured-clonable forms: the client
 * turns DOM elements into bitmaps or URLs before they leave the page. Bytes are preferred over
 * bitmaps because the engine decodes them exactly as PIL does.
 */
export type WireImage =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'blob'; readonly blob: Blob }
  | { readonly kind: 'bitmap'; readonly bitmap: ImageBitmap }
  | { readonly kind: 'imagedata'; readonly imageData: ImageData };

export interface EngineLoadOptions {
  readonly model: string;
  /** Absolute folder URL the model files are read from (ends with `/`). */
  readonly modelBaseUrl: string;
  readonly device: DeviceOption;
  readonly dtype: DtypeOption;
  readonly template: string;
  readonly wasmPaths: string;
  readonly numThreads?: number;
  /** Default `indexeddb`. */
  readonly cache?: CacheMode;
  readonly verifyCache?: boolean;
  /** Set when this load is the WASM retry after WebGPU failed in an earlier engine. */
  readonly fallbackReason?: string;
}

/** `detail` of the BACKEND_UNAVAILABLE error that asks the caller to retry on WASM in a fresh engine. */
export const WEBGPU_RETRY_ON_WASM = 'webgpu-retry-on-wasm';

/** The one interface both the worker-backed client and the inline engine implement (as in WebLLM). */
export interface EngineApi {
  load(options: EngineLoadOptions, onProgress?: (p: LoadProgress) => void): Promise<SiglipInfo>;
  classify(images: WireImage[], labels: string[] | null, template: string | null, topk: number | null): Promise<Score[][]>;
  embedImages(images: WireImage[], normalize: boolean): Promise<Float32Array[]>;
  embedTexts(texts: string[], template: string | false, normalize: boolean): Promise<Float32Array[]>;
  /** One operation on the photo library `name` (storage and search live next to the model). */
  library<O extends LibraryOp>(name: string, op: O): Promise<LibraryResult<O>>;
  dispose(): Promise<void>;
}

export type { Device, Dtype };
