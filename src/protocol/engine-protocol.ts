/**
 * The contract between the page and the engine, in one place: what crosses (WireImage, load
 * options, the resolved model), the calls (EngineApi; WorkerApi is what the worker exposes over
 * comlink) and the worker's name. The mechanism lives elsewhere: client/worker-engine.ts sends,
 * worker/expose-engine.ts receives; the inline engine implements EngineApi directly.
 */
import type { ModelRef } from '../model-ref/model-ref.js';
import type { LibraryOp, LibraryResult } from './library-wire.js';
import type { CacheMode, Device, DeviceFallback, DeviceOption, Dtype, DtypeOption, LoadProgress, Score, SiglipInfo } from '../types.js';

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
  /** The model as resolved on the page: every file is read from `model.baseUrl`. */
  readonly model: ModelRef;
  readonly device: DeviceOption;
  readonly dtype: DtypeOption;
  readonly template: string;
  readonly wasmPaths: string;
  readonly numThreads?: number;
  /** Default `indexeddb`. */
  readonly cache?: CacheMode;
  readonly verifyCache?: boolean;
  /** Set when this load is the retry after a device fallback (SiglipError.fallback) in an earlier engine. */
  readonly fallbackReason?: string;
}

/**
 * The load options for the fresh engine that continues after `fallback`. Errors that carry a
 * `fallback` (decided by backend/device-plan.ts fallbackFor) are the only way an engine asks for this.
 */
export function optionsAfterFallback(options: EngineLoadOptions, fallback: DeviceFallback): EngineLoadOptions {
  return { ...options, device: fallback.device, fallbackReason: fallback.reason, ...(fallback.threads !== undefined ? { numThreads: fallback.threads } : {}), ...(fallback.verifyCache ? { verifyCache: true } : {}) };
}

/**
 * Milestones of a load that the page watches. onnxruntime's multi-threaded start can block the
 * engine's thread for good (so no timer in there fires); only the page can notice and stop it.
 * `onStall` is what the page should do then (decided in the engine by backend's fallbackFor).
 */
export type LoadStage =
  | { readonly stage: 'runtime-start'; readonly stallAfterMs: number; readonly onStall?: DeviceFallback }
  | { readonly stage: 'runtime-ready' };

/** The one interface both the worker-backed client and the inline engine implement (as in WebLLM). */
export interface EngineApi {
  load(options: EngineLoadOptions, onProgress?: (p: LoadProgress) => void, onStage?: (s: LoadStage) => void): Promise<SiglipInfo>;
  classify(images: WireImage[], labels: string[] | null, template: string | null, topk: number | null): Promise<Score[][]>;
  embedImages(images: WireImage[], normalize: boolean): Promise<Float32Array[]>;
  embedTexts(texts: string[], template: string | false, normalize: boolean): Promise<Float32Array[]>;
  /** One operation on the photo library `name` (storage and search live next to the model). */
  library<O extends LibraryOp>(name: string, op: O): Promise<LibraryResult<O>>;
  dispose(): Promise<void>;
}

/** What the worker exposes over comlink: the engine plus the worker's liveness lock. */
export interface WorkerApi extends EngineApi {
  /** Holds the Web Lock `name` for the worker's whole life (see worker/life-lock.ts). */
  holdLifeLock(name: string): Promise<boolean>;
}

/**
 * The name the page gives the engine worker. onnxruntime starts its WASM thread workers from the
 * same script, so only the worker with this name serves the engine.
 */
export const ENGINE_WORKER_NAME = 'siglip-web';

export type { Device, Dtype, ModelRef };
