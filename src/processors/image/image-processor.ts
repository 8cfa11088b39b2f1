/**
 * The SigLIP image processor, matching Python `transformers` `SiglipImageProcessorPil`:
 * decode (PIL semantics) -> resize to `size` with Pillow's filter -> rescale -> normalize ->
 * float32 NCHW. Resize and normalization are bit-exact; decoding is bit-exact for PNG.
 */
import { SiglipError } from '../../errors.js';
import { decodeImageBytes, isDecodedImageSource, isEncodedImage, pixelsFromSource, type DecodedImageSource, type EncodedImage } from './decode-browser.js';
import { isPilResampleFilter, PilResample, resizePixelSource, resizeRgb8, type PilResampleFilter } from './pil-resample.js';
import { materializeRgb, orientedSize, type PixelSource } from './pixel-source.js';
import { buildChannelLookupTables, writeNormalizedChw, type ChannelLookupTables } from './rescale-normalize.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';
import { fetchModelJson, folderUrlOf, type ModelFolder } from '../model-folder.js';

export type { RgbImage } from './rgb-image.js';

export type Triple = readonly [number, number, number];

/** The validated, camel-cased subset of `preprocessor_config.json` this processor uses. */
export interface SiglipImageProcessorConfig {
  readonly doResize: boolean;
  readonly size: { readonly height: number; readonly width: number };
  readonly resample: PilResampleFilter;
  readonly doRescale: boolean;
  readonly rescaleFactor: number;
  readonly doNormalize: boolean;
  readonly imageMean: Triple;
  readonly imageStd: Triple;
}

/**
 * Anything `process` accepts for one image (already on this thread: pixels, bytes, a decoded
 * source). Not the public ImageInput (types.ts), which the page turns into a WireImage first.
 */
export type ProcessableImage = RgbImage | EncodedImage | DecodedImageSource;

export interface ProcessedImages {
  /** float32 NCHW, images stacked along N. */
  pixelValues: Float32Array;
  /** [batch, 3, height, width] */
  dims: number[];
}

export interface FromPretrainedOptions {
  /** Replaces the global fetch (tests, auth headers, custom caching). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  signal?: AbortSignal;
}

// transformers' SiglipImageProcessor defaults (IMAGENET_STANDARD_MEAN/STD, 224, BICUBIC, 1/255).
const DEFAULTS: SiglipImageProcessorConfig = {
  doResize: true,
  size: { height: 224, width: 224 },
  resample: PilResample.BICUBIC,
  doRescale: true,
  rescaleFactor: 1 / 255,
  doNormalize: true,
  imageMean: [0.5, 0.5, 0.5],
  imageStd: [0.5, 0.5, 0.5],
};

function configError(message: string): SiglipError {
  return new SiglipError('MODEL_UNSUPPORTED', `preprocessor_config.json: ${message}`);
}

function readBool(cfg: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = cfg[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw configError(`${key} must be a boolean, got ${JSON.stringify(v)}`);
  return v;
}

function readTriple(cfg: Record<string, unknown>, key: string, fallback: Triple): Triple {
  const v = cfg[key];
  if (v === undefined || v === null) return fallback;
  // transformers accepts one number for all channels, as well as a per-channel list.
  const list = typeof v === 'number' ? [v, v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0], v[0]] : v;
  if (!Array.isArray(list) || list.length !== 3 || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw configError(`${key} must be a number or a list of 3 numbers, got ${JSON.stringify(v)}`);
  }
  return [list[0], list[1], list[2]];
}

function readSize(cfg: Record<string, unknown>): { height: number; width: number } {
  const v = cfg['size'];
  if (v === undefined || v === null) return DEFAULTS.size;
  const isDim = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;
  if (isDim(v)) return { height: v, width: v };
  if (typeof v === 'object' && !Array.isArray(v)) {
    const s = v as Record<string, unknown>;
    if (isDim(s['height']) && isDim(s['width'])) return { height: s['height'], width: s['width'] };
    if ('shortest_edge' in s || 'longest_edge' in s) {
      throw configError(`size ${JSON.stringify(v)} preserves aspect ratio; SigLIP resizes to a fixed {height, width}`);
    }
  }
  throw configError(`size must be {"height": H, "width": W} with positive integers, got ${JSON.stringify(v)}`);
}

function isRgbImage(value: unknown): value is RgbImage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<RgbImage>;
  return v.data instanceof Uint8Array && typeof v.width === 'number' && typeof v.height === 'number';
}

function validateRgb(image: RgbImage, label: string): void {
  const { width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new SiglipError('INVALID_INPUT', `${label} has invalid size ${width}x${height}`);
  }
  checkImageSize(width, height, label);
  if (image.data.length !== width * height * 3) {
    throw new SiglipError('INVALID_INPUT', `${label}: RGB data has ${image.data.length} bytes, expected ${width * height * 3} (${width}x${height}x3)`);
  }
}

const CONFIG_FILE = 'preprocessor_config.json';

/** Where `preprocessor_config.json` lives for a model folder (URL or resolved model), or a direct URL to the JSON. */
export function preprocessorConfigUrl(model: ModelFolder): string {
  if (typeof model === 'string' && /\.json(?:[?#].*)?$/i.test(model.trim())) return model.trim();
  return `${folderUrlOf(model)}${CONFIG_FILE}`;
}

export class SiglipImageProcessor {
  readonly config: SiglipImageProcessorConfig;
  private readonly tables: ChannelLookupTables;

  private constructor(config: SiglipImageProcessorConfig) {
    this.config = config;
    this.tables = buildChannelLookupTables(config);
  }

  /** Builds the processor from a parsed `preprocessor_config.json`; missing keys take transformers' defaults. */
  static fromConfig(preprocessorConfig: object): SiglipImageProcessor {
    if (typeof preprocessorConfig !== 'object' || preprocessorConfig === null || Array.isArray(preprocessorConfig)) {
      throw configError('expected a JSON object');
    }
    const cfg = preprocessorConfig as Record<string, unknown>;
    const type = cfg['image_processor_type'];
    if (typeof type === 'string' && /^Siglip2/.test(type)) {
      throw configError(`${type} (NaFlex, variable resolution) is not supported; only fixed-resolution SigLIP processors are`);
    }
    if (cfg['do_center_crop'] === true) throw configError('do_center_crop is not part of SigLIP preprocessing');
    const resample = cfg['resample'] ?? DEFAULTS.resample;
    if (!isPilResampleFilter(resample)) throw configError(`resample must be a PIL filter code 0..5, got ${JSON.stringify(resample)}`);
    const rescaleFactor = cfg['rescale_factor'] ?? DEFAULTS.rescaleFactor;
    if (typeof rescaleFactor !== 'number' || !Number.isFinite(rescaleFactor)) {
      throw configError(`rescale_factor must be a finite number, got ${JSON.stringify(rescaleFactor)}`);
    }
    const imageStd = readTriple(cfg, 'image_std', DEFAULTS.imageStd);
    const doNormalize = readBool(cfg, 'do_normalize', DEFAULTS.doNormalize);
    if (doNormalize && imageStd.some((s) => s === 0)) throw configError('image_std must not contain 0');
    return new SiglipImageProcessor({
      doResize: readBool(cfg, 'do_resize', DEFAULTS.doResize),
      size: readSize(cfg),
      resample,
      doRescale: readBool(cfg, 'do_rescale', DEFAULTS.doRescale),
      rescaleFactor,
      doNormalize,
      imageMean: readTriple(cfg, 'image_mean', DEFAULTS.imageMean),
      imageStd,
    });
  }

  /** Fetches `preprocessor_config.json` of a model folder (URL or resolved model) and builds the processor. */
  static async fromPretrained(model: ModelFolder, opts: FromPretrainedOptions = {}): Promise<SiglipImageProcessor> {
    const url = preprocessorConfigUrl(model);
    const json = await fetchModelJson(url, opts);
    if (typeof json !== 'object' || json === null) throw new SiglipError('MODEL_LOAD', `${url} does not contain a JSON object`);
    return SiglipImageProcessor.fromConfig(json);
  }

  /** The configuration in `preprocessor_config.json` form, so another worker can rebuild this processor with fromConfig. */
  toPreprocessorConfig(): Record<string, unknown> {
    const c = this.config;
    return {
      do_resize: c.doResize, size: { height: c.size.height, width: c.size.width }, resample: c.resample, do_rescale: c.doRescale,
      rescale_factor: c.rescaleFactor, do_normalize: c.doNormalize, image_mean: [...c.imageMean], image_std: [...c.imageStd],
    };
  }

  /** The configured `size` (the model's input resolution; the output size whenever `do_resize` is true). */
  get size(): { readonly height: number; readonly width: number } {
    return this.config.size;
  }

  /** The uint8 RGB image after the Pillow resize (what Python feeds to rescale/normalize). */
  resize(image: RgbImage): RgbImage {
    validateRgb(image, 'image');
    if (!this.config.doResize) return image;
    return resizeRgb8(image, this.config.size.width, this.config.size.height, this.config.resample);
  }

  /** Decodes (if needed) and preprocesses one image or a batch. */
  async process(images: ProcessableImage | readonly ProcessableImage[]): Promise<ProcessedImages> {
    const list: readonly ProcessableImage[] = Array.isArray(images) ? images : [images as ProcessableImage];
    const batch = list.length > 1 || Array.isArray(images);
    const rgb = await Promise.all(list.map((input, i) => toRgb(input, batch ? `image ${i}` : 'image')));
    return this.processPixels(rgb);
  }

  /**
   * Preprocesses one decoded image (decodeImagePixels) without materialising its RGB or oriented
   * copies: resizePixelSource reads the RGB/RGBA bytes in place. Same values as processPixels of
   * the materialised image. `timings`, when given, receives per-stage durations in ms.
   */
  processSource(source: PixelSource, timings?: Record<string, number>): ProcessedImages & { width: number; height: number } {
    const { width, height } = orientedSize(source);
    checkImageSize(width, height, 'image');
    if (!this.config.doResize) return { ...this.processPixels(materializeRgb(source)), width, height };
    const { size, resample } = this.config;
    const resized = resizePixelSource(source, size.width, size.height, resample, timings);
    const t0 = timings ? performance.now() : 0;
    const pixelValues = new Float32Array(3 * size.width * size.height);
    writeNormalizedChw(resized, this.tables, pixelValues, 0);
    if (timings) timings['normalize'] = performance.now() - t0;
    return { pixelValues, dims: [1, 3, size.height, size.width], width, height };
  }

  /** Preprocesses already-decoded RGB8 image(s) synchronously. */
  processPixels(images: RgbImage | readonly RgbImage[]): ProcessedImages {
    const list: readonly RgbImage[] = Array.isArray(images) ? images : [images as RgbImage];
    if (list.length === 0) throw new SiglipError('INVALID_INPUT', 'no images to process (empty list)');
    const resized = list.map((image, i) => {
      const label = list.length > 1 ? `image ${i}` : 'image';
      if (!isRgbImage(image)) throw new SiglipError('INVALID_INPUT', `${label} is not an RGB image {data: Uint8Array, width, height}`);
      validateRgb(image, label);
      return this.config.doResize ? resizeRgb8(image, this.config.size.width, this.config.size.height, this.config.resample) : image;
    });
    const { width, height } = resized[0];
    resized.forEach((image, i) => {
      if (image.width !== width || image.height !== height) {
        throw new SiglipError('INVALID_INPUT', `image ${i} is ${image.width}x${image.height} but image 0 is ${width}x${height}; with do_resize false a batch must share one size`);
      }
    });
    const plane = 3 * width * height;
    const pixelValues = new Float32Array(plane * resized.length);
    resized.forEach((image, i) => writeNormalizedChw(image, this.tables, pixelValues, i * plane));
    return { pixelValues, dims: [resized.length, 3, height, width] };
  }
}

async function toRgb(input: ProcessableImage, label: string): Promise<RgbImage> {
  if (isRgbImage(input)) {
    validateRgb(input, label);
    return input;
  }
  if (isEncodedImage(input)) return decodeImageBytes(input, label);
  if (isDecodedImageSource(input)) return pixelsFromSource(input, label);
  throw new SiglipError('INVALID_INPUT', `${label} is not a supported image (expected RGB pixels {data, width, height}, image bytes, Blob, ImageBitmap, ImageData, canvas, <img> or <video>)`);
}
