/**
 * Turning whatever the caller has (encoded bytes or an already-decoded browser object) into
 * PIL-equivalent RGB8. PNG, GIF, BMP and WebP go through our own decoders (own-decoders.ts)
 * because a canvas would premultiply alpha and colour-manage; lossy WebP bitstreams and the other
 * formats (JPEG, AVIF, ...) use the browser's decoder with EXIF orientation applied and colour
 * conversion/premultiplication disabled, which is as close to PIL as a browser allows.
 * Works in windows and workers: every DOM type is feature-tested before use.
 */
import { SiglipError } from '../../errors.js';
import { withoutAvifAlpha } from './avif-alpha.js';
import { jpegWithoutOrientation, readJpegOrientation, readJpegOrientationSources } from './exif-orientation.js';
import { jpegIsComplete, readDeclaredSize, sniffImageFormat, type ImageFormat } from './image-format.js';
import { decodeJpegLikePillow, isFourComponentJpeg } from './jpeg-cmyk-decode.js';
import { decodeWithMoreDecoder, hasMoreDecoder, unsupportedFormatMessage } from './more-decoders.js';
import { decodeWithOwnDecoder, hasOwnDecoder } from './own-decoders.js';
import { decodeJpeg2000, type Jpeg2000Codec } from './jpeg2000-decode.js';
import { materializeRgb, rgbSource, type PixelSource } from './pixel-source.js';
import { decodePng } from './png-decode.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';
import { CanvasReadback, make2dCanvas } from './canvas-readback.js';

export type EncodedImage = Blob | ArrayBuffer | ArrayBufferView;

/** Already-decoded images the browser can hand us (those that exist in the current realm). */
export type DecodedImageSource =
  | ImageBitmap
  | ImageData
  | OffscreenCanvas
  | HTMLCanvasElement
  | HTMLImageElement
  | HTMLVideoElement;

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

export function isEncodedImage(value: unknown): value is EncodedImage {
  return isBlob(value) || value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

async function toBytes(input: EncodedImage): Promise<Uint8Array> {
  if (isBlob(input)) return new Uint8Array(await input.arrayBuffer());
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
}

/** Drops the alpha byte of RGBA pixels; the RGB values are kept as stored, never composited. */
export function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): RgbImage {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0, p = 0, o = 0; i < n; i++, p += 4, o += 3) {
    out[o] = rgba[p];
    out[o + 1] = rgba[p + 1];
    out[o + 2] = rgba[p + 2];
  }
  return { data: out, width, height };
}

/** The canvas's RGBA bytes as they are (no RGB copy): the resampler drops alpha as it reads. */
function readRgbaPixels(source: CanvasImageSource, width: number, height: number, label: string): PixelSource {
  checkImageSize(width, height, label);
  try {
    const ctx = make2dCanvas(width, height, label);
    ctx.drawImage(source, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    return { data: rgba, width, height, channels: 4 };
  } catch (err) {
    // A cross-origin image taints the canvas and getImageData throws a SecurityError.
    throw SiglipError.wrap('IMAGE_DECODE', `cannot read pixels of ${label}`, err);
  }
}

function readPixels(source: CanvasImageSource, width: number, height: number, label: string): RgbImage {
  return materializeRgb(readRgbaPixels(source, width, height, label));
}

/** Pillow refuses a JPEG that ends before its EOI marker; some browsers decode what is there. */
function checkJpegComplete(bytes: Uint8Array, label: string): void {
  if (!jpegIsComplete(bytes)) {
    throw new SiglipError('IMAGE_DECODE', `${label} is a truncated JPEG (the file ends before its end-of-image marker; Pillow refuses it too: "image file is truncated")`);
  }
}

/**
 * A JPEG decoded by our libjpeg-turbo-exact decoder, with its EXIF/XMP orientation still to apply;
 * null when it uses something that decoder does not handle (arithmetic coding, 12-bit, damaged
 * data it cannot follow as libjpeg does). Used for CMYK/YCCK (browsers round their CMYK->RGB
 * differently from Pillow) and for JPEGs the browser refuses.
 */
function ownJpeg(bytes: Uint8Array, label: string, components: number[]): PixelSource | null {
  // Our decoder keeps every coefficient (4 bytes per sample): past 50 MP leave it to the browser.
  const declared = readDeclaredSize(bytes, 'jpeg');
  if (!declared || declared.width * declared.height > 50_000_000) return null;
  let rgb: RgbImage;
  try {
    rgb = decodeJpegLikePillow(bytes, label, { components, tolerateMarkerInScan: true });
  } catch (err) {
    if (err instanceof SiglipError) throw err;
    return null;
  }
  return { ...rgbSource(rgb), orientation: readJpegOrientation(bytes) };
}

async function decodeWithBrowser(bytes: Uint8Array, format: ImageFormat, label: string, readback?: CanvasReadback): Promise<PixelSource> {
  if (typeof createImageBitmap === 'undefined') {
    throw new SiglipError('IMAGE_DECODE', `cannot decode ${label} (${format}): this environment has no image decoder for it (only PNG is decoded without createImageBitmap)`);
  }
  const declared = readDeclaredSize(bytes, format);
  if (declared) checkImageSize(declared.width, declared.height, label);
  if (format === 'jpeg') checkJpegComplete(bytes, label);
  let bitmap: ImageBitmap;
  // A JPEG's EXIF orientation is applied by the resampler (exactly Pillow's transpose, read in
  // place) rather than by the browser, whose 90° rotations cost more: decode it unrotated.
  const unrotated = format === 'jpeg' ? jpegWithoutOrientation(bytes) : null;
  try {
    // The canvas would premultiply an AVIF alpha plane away; Pillow ignores alpha for RGB anyway.
    const blob = new Blob([unrotated ? unrotated.bytes : format === 'avif' ? withoutAvifAlpha(bytes).slice() : bytes.slice()]);
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (err) {
    // Chromium rejects a JPEG with a stray marker in its scan, which Pillow decodes (the rest gray).
    const own = format === 'jpeg' ? ownJpeg(bytes, label, [1, 3]) : null;
    if (own) return own;
    throw SiglipError.wrap('IMAGE_DECODE', `cannot decode ${label} (${format === 'unknown' ? 'unrecognised format' : format}); the data may be corrupt or truncated`, err);
  }
  try {
    checkImageSize(bitmap.width, bitmap.height, label);
    const image: PixelSource = readback
      ? { data: await readback.readBitmap(bitmap, label), width: bitmap.width, height: bitmap.height, channels: 4 }
      : readRgbaPixels(bitmap, bitmap.width, bitmap.height, label);
    if (unrotated) return { ...image, orientation: unrotated.orientation };
    // Browsers apply EXIF orientation; Pillow also honours an XMP-only orientation, which they ignore.
    if (format === 'jpeg') {
      const { exif, xmp } = readJpegOrientationSources(bytes);
      if (exif === null && xmp !== null) return { ...image, orientation: xmp };
    }
    return image;
  } finally {
    bitmap.close();
  }
}

/**
 * Decodes encoded image bytes to RGB8 the way `transformers.image_utils.load_image` does
 * (PIL open, exif_transpose, convert("RGB")). PNG, GIF, BMP and lossless WebP are bit-exact;
 * lossy WebP, JPEG and AVIF rely on the browser's decoder (see the README's per-format table).
 */
export async function decodeImageBytes(input: EncodedImage, label = 'image', codecs: ImageCodecs = {}): Promise<RgbImage> {
  return materializeRgb(await decodeImagePixels(input, label, undefined, codecs));
}

/** Decoders too large for every bundle, passed in by the realms that carry them (the engine's). */
export interface ImageCodecs {
  readonly jpeg2000?: Jpeg2000Codec;
}

/**
 * decodeImageBytes without the final copies: the decoded RGB or RGBA bytes with any orientation
 * still to apply, for resizePixelSource to read in place (a 12 MP photo: no 36 MB RGB copy).
 * A caller decoding many photos one after the other passes a `readback` to reuse its canvas.
 */
export async function decodeImagePixels(input: EncodedImage, label = 'image', readback?: CanvasReadback, codecs: ImageCodecs = {}): Promise<PixelSource> {
  // The content decides, as for Pillow: a PNG whose File type says SVG is still a PNG.
  const typeSaysSvg = isBlob(input) && /^image\/svg/i.test(input.type);
  const bytes = await toBytes(input);
  if (bytes.length === 0) throw new SiglipError('INVALID_INPUT', `${label} is empty (0 bytes)`);
  const format = sniffImageFormat(bytes);
  if (format === 'svg' || (typeSaysSvg && format === 'unknown')) {
    throw new SiglipError('IMAGE_DECODE', `${label} is an SVG; vector images are not supported, rasterize it first (e.g. draw it to a canvas and pass the canvas)`);
  }
  if (format === 'png') {
    const { data, width, height } = await decodePng(bytes, { label });
    return rgbSource({ data, width, height });
  }
  if (hasMoreDecoder(format)) return rgbSource(await decodeWithMoreDecoder(bytes, format, label));
  if (format === 'jpeg2000' && codecs.jpeg2000) return rgbSource(await decodeJpeg2000(bytes, label, codecs.jpeg2000));
  const unsupported = unsupportedFormatMessage(format, label);
  if (unsupported) throw new SiglipError('IMAGE_DECODE', unsupported);
  if (hasOwnDecoder(format)) {
    return rgbSource(await decodeWithOwnDecoder(bytes, format, label, async (simpleWebp) => materializeRgb(await decodeWithBrowser(simpleWebp, 'webp', label))));
  }
  if (format === 'jpeg' && isFourComponentJpeg(bytes)) {
    checkJpegComplete(bytes, label);
    const own = ownJpeg(bytes, label, [4]);
    if (own) return own;
  }
  return decodeWithBrowser(bytes, format, label, readback);
}

function sizeOfSource(source: object, label: string): { width: number; height: number; drawable: CanvasImageSource } | ImageData {
  if (typeof ImageData !== 'undefined' && source instanceof ImageData) return source;
  if (typeof ImageBitmap !== 'undefined' && source instanceof ImageBitmap) return { width: source.width, height: source.height, drawable: source };
  if (typeof OffscreenCanvas !== 'undefined' && source instanceof OffscreenCanvas) return { width: source.width, height: source.height, drawable: source };
  if (typeof HTMLCanvasElement !== 'undefined' && source instanceof HTMLCanvasElement) return { width: source.width, height: source.height, drawable: source };
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) {
    if (!source.complete || source.naturalWidth === 0) {
      throw new SiglipError('INVALID_INPUT', `${label}: the <img> has not finished loading or failed to load (await img.decode() first)`);
    }
    return { width: source.naturalWidth, height: source.naturalHeight, drawable: source };
  }
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) {
    if (source.readyState < 2) {
      throw new SiglipError('INVALID_INPUT', `${label}: the <video> has no current frame yet (wait for 'loadeddata')`);
    }
    return { width: source.videoWidth, height: source.videoHeight, drawable: source };
  }
  throw new SiglipError('INVALID_INPUT', `${label} is not a supported image source (expected RGB pixels, image bytes, Blob, ImageBitmap, ImageData, canvas, <img> or <video>)`);
}

/**
 * RGB8 of an already-decoded source. Note: canvases, <img> and ImageBitmaps created with defaults
 * hold premultiplied, colour-managed pixels, so transparent areas come back black and colours may
 * differ slightly from PIL; pass the original file bytes when exact parity matters.
 */
export function pixelsFromSource(source: DecodedImageSource, label = 'image'): RgbImage {
  if (typeof source !== 'object' || source === null) {
    throw new SiglipError('INVALID_INPUT', `${label} is not a supported image source`);
  }
  const s = sizeOfSource(source, label);
  if ('data' in s) {
    checkImageSize(s.width, s.height, label);
    return rgbaToRgb(s.data, s.width, s.height);
  }
  return readPixels(s.drawable, s.width, s.height, label);
}

export function isDecodedImageSource(value: unknown): value is DecodedImageSource {
  if (typeof value !== 'object' || value === null) return false;
  return (
    (typeof ImageData !== 'undefined' && value instanceof ImageData) ||
    (typeof ImageBitmap !== 'undefined' && value instanceof ImageBitmap) ||
    (typeof OffscreenCanvas !== 'undefined' && value instanceof OffscreenCanvas) ||
    (typeof HTMLCanvasElement !== 'undefined' && value instanceof HTMLCanvasElement) ||
    (typeof HTMLImageElement !== 'undefined' && value instanceof HTMLImageElement) ||
    (typeof HTMLVideoElement !== 'undefined' && value instanceof HTMLVideoElement)
  );
}
