import type { WireImage } from '../protocol/engine-protocol.js';
import { SiglipError } from '../errors.js';
import { pageBaseHref } from './asset-urls.js';
import type { ImageInput } from '../types.js';
import { checkImageSize } from '../processors/image/rgb-image.js';

function isInstance<T>(value: unknown, ctorName: string): value is T {
  const ctor = (globalThis as Record<string, unknown>)[ctorName];
  return typeof ctor === 'function' && value instanceof (ctor as abstract new (...a: never[]) => unknown);
}

/**
 * Turns an ImageInput into something that can cross to the worker. Encoded bytes (URLs, Blobs) are
 * kept as bytes so the worker decodes them exactly like PIL; only live DOM pixels become bitmaps.
 */
export async function toWireImage(input: ImageInput, index: number): Promise<WireImage> {
  if (typeof input === 'string' || input instanceof URL) return { kind: 'url', url: absoluteUrl(String(input), index) };
  if (isInstance<Blob>(input, 'Blob')) return { kind: 'blob', blob: input };
  if (isInstance<ImageData>(input, 'ImageData')) {
    if (input.width === 0 || input.height === 0) throw new SiglipError('INVALID_INPUT', `Image #${index}: the ImageData has zero size`);
    return { kind: 'imagedata', imageData: input };
  }
  if (isInstance<HTMLImageElement>(input, 'HTMLImageElement')) {
    const src = input.currentSrc || input.src;
    // Re-reading the original bytes (usually from the HTTP cache) keeps decoding PIL-exact; pixels
    // drawn from the element would be colour-managed and premultiplied.
    if (src && /^(https?:|data:|blob:)/.test(absoluteUrl(src, index))) return { kind: 'url', url: absoluteUrl(src, index) };
    if (!input.complete || input.naturalWidth === 0) {
      throw new SiglipError('INVALID_INPUT', `Image #${index}: the <img> element has not loaded (or failed to load)`);
    }
    return { kind: 'bitmap', bitmap: await bitmapOf(input, index) };
  }
  if (isInstance<HTMLVideoElement>(input, 'HTMLVideoElement')) {
    if (input.readyState < 2 || input.videoWidth === 0) {
      throw new SiglipError('INVALID_INPUT', `Image #${index}: the <video> element has no current frame yet (readyState ${input.readyState})`);
    }
    return { kind: 'bitmap', bitmap: await bitmapOf(input, index) };
  }
  if (isInstance<HTMLCanvasElement>(input, 'HTMLCanvasElement') || isInstance<OffscreenCanvas>(input, 'OffscreenCanvas')) {
    if (input.width === 0 || input.height === 0) throw new SiglipError('INVALID_INPUT', `Image #${index}: the canvas has zero size`);
    return { kind: 'bitmap', bitmap: await bitmapOf(input, index) };
  }
  if (isInstance<ImageBitmap>(input, 'ImageBitmap')) {
    if (input.width === 0 || input.height === 0) {
      throw new SiglipError('INVALID_INPUT', `Image #${index}: the ImageBitmap is empty or was closed/detached`);
    }
    // A copy, so the caller's bitmap stays usable.
    return { kind: 'bitmap', bitmap: await bitmapOf(input, index) };
  }
  throw new SiglipError('INVALID_INPUT', `Image #${index}: unsupported input (${describe(input)}); pass a URL, Blob/File, ImageData, ImageBitmap, canvas, <img> or <video>`);
}

async function bitmapOf(source: ImageBitmapSource, index: number): Promise<ImageBitmap> {
  const size = source as { width?: unknown; height?: unknown; naturalWidth?: unknown; naturalHeight?: unknown; videoWidth?: unknown; videoHeight?: unknown };
  const width = Number(size.naturalWidth ?? size.videoWidth ?? size.width ?? 0);
  const height = Number(size.naturalHeight ?? size.videoHeight ?? size.height ?? 0);
  // Refuses giant sources before createImageBitmap copies them (a 12000x12000 canvas is 576 MB).
  if (width * height > 0) checkImageSize(width, height, `Image #${index}`, '; downscale it first');
  try {
    return await createImageBitmap(source);
  } catch (err) {
    throw SiglipError.wrap('IMAGE_DECODE', `Image #${index}: could not read pixels`, err);
  }
}

function absoluteUrl(url: string, index: number): string {
  try {
    const base = pageBaseHref();
    return (base ? new URL(url, base) : new URL(url)).href;
  } catch {
    throw new SiglipError('INVALID_INPUT', `Image #${index}: "${url.slice(0, 80)}" is not a valid URL`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
