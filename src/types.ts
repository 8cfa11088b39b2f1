/** Public types shared by the main-thread client, the worker and the inline engine. */

export type Device = 'webgpu' | 'wasm';
export type DeviceOption = 'auto' | Device;
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
  /** `initiate` → `progress`* → `done` per file, then one `ready` for the whole model. */
  status: 'initiate' | 'progress' | 'done' | 'ready';
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
}

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
  /** Base URL of the onnxruntime-web `.wasm`/`.mjs` files; default: the copies shipped next to the SDK. */
  wasmPaths?: string;
  /** WASM threads; default: hardware concurrency (max 8) when cross-origin isolated, else 1. */
  numThreads?: number;
  /** Override where the worker script lives (default: next to the SDK script). */
  workerUrl?: string | URL;
  signal?: AbortSignal;
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
  dispose(): Promise<void>;
}
