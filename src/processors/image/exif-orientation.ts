/**
 * EXIF orientation as `PIL.ImageOps.exif_transpose` sees it: the Orientation tag (0x0112) of
 * IFD0, falling back to an XMP `tiff:Orientation` when EXIF has none (Pillow's `getexif` does
 * this), then the matching Pillow transpose. Values outside 2..8 leave the image untouched.
 */
import type { RgbImage } from './rgb-image.js';
import { isStandaloneJpegMarker } from './jpeg-markers.js';

export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"
const XMP_JPEG_HEADER = 'http://ns.adobe.com/xap/1.0/\u0000';

function startsWith(bytes: Uint8Array, offset: number, prefix: readonly number[]): boolean {
  if (offset + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[offset + i] !== prefix[i]) return false;
  return true;
}

/** The Orientation entry of a TIFF/EXIF block's first IFD: where its value sits and its type. */
function findOrientationEntry(tiff: Uint8Array): { view: DataView; entry: number; little: boolean; base: number } | null {
  let base = 0;
  if (startsWith(tiff, 0, EXIF_HEADER)) base = 6;
  if (base + 8 > tiff.length) return null;
  const b0 = tiff[base];
  const b1 = tiff[base + 1];
  let little: boolean;
  if (b0 === 0x49 && b1 === 0x49) little = true;
  else if (b0 === 0x4d && b1 === 0x4d) little = false;
  else return null;
  const view = new DataView(tiff.buffer, tiff.byteOffset + base, tiff.length - base);
  if (view.getUint16(2, little) !== 42) return null;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > view.byteLength) return null;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > view.byteLength) return null;
    if (view.getUint16(entry, little) === ORIENTATION_TAG) return { view, entry, little, base };
  }
  return null;
}

/**
 * The raw Orientation value from a TIFF structure (an EXIF payload without or with its "Exif\0\0"
 * prefix), or null when the tag is absent or the structure is unreadable.
 */
export function readTiffOrientation(tiff: Uint8Array): number | null {
  const found = findOrientationEntry(tiff);
  if (!found) return null;
  const { view, entry: e, little } = found;
  const type = view.getUint16(e + 2, little);
  const count = view.getUint32(e + 4, little);
  // Pillow reads the value whatever integer type the writer chose, takes the first of several
  // values, and has none when the count is 0 or the data lies outside the block.
  const unit = type === 3 || type === 8 ? 2 : type === 4 || type === 9 ? 4 : type === 1 || type === 6 || type === 7 ? 1 : 0;
  if (unit === 0 || count === 0) return null;
  let at = e + 8;
  if (count * unit > 4) {
    at = view.getUint32(e + 8, little);
    if (at + count * unit > view.byteLength) return null;
  }
  switch (type) {
    case 1: // BYTE
    case 7: // UNDEFINED
      return view.getUint8(at);
    case 6: // SBYTE
      return view.getInt8(at);
    case 3: // SHORT
      return view.getUint16(at, little);
    case 8: // SSHORT
      return view.getInt16(at, little);
    case 4: // LONG
      return view.getUint32(at, little);
    default: // 9, SLONG
      return view.getInt32(at, little);
  }
}

/** Orientation from XMP text, with the same pattern Pillow uses: `tiff:Orientation(="|>)([0-9])`. */
export function readXmpOrientation(xmp: string): number | null {
  const match = /tiff:Orientation(="|>)([0-9])/.exec(xmp);
  return match ? Number(match[2]) : null;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + CHUNK)));
  }
  return s;
}

/** Where a JPEG declares its orientation: the first "Exif" APP1 segment and/or an XMP packet. */
export interface JpegOrientationSources {
  exif: number | null;
  xmp: number | null;
}

interface JpegOrientationScan extends JpegOrientationSources {
  /** Where the first Exif segment's Orientation IFD entry (12 bytes) is: absolute offset and byte order. */
  exifEntryAt?: { offset: number; little: boolean };
}

/** Byte offset (within `tiff`) and order of the Orientation IFD entry, whatever its type, or null. */
function tiffOrientationEntryAt(tiff: Uint8Array): { offset: number; little: boolean } | null {
  const found = findOrientationEntry(tiff);
  return found ? { offset: found.base + found.entry, little: found.little } : null;
}

/**
 * A copy of `jpeg` whose EXIF Orientation entry is rewritten to SHORT 1, with the orientation
 * Pillow would apply (EXIF, else XMP, else 1), whenever the first Exif segment has an Orientation
 * entry other than a plain SHORT 1; else null. The caller decodes unrotated pixels and applies Pillow's transpose exactly in
 * the resampler: browsers rotate on their own reading of the tag (Chromium ignores a LONG value,
 * honours a SHORT with count 0 that Pillow ignores), and a 90° rotation costs Chromium more than
 * our fused transpose.
 */
export function jpegWithoutOrientation(jpeg: Uint8Array): { bytes: Uint8Array<ArrayBuffer>; orientation: number } | null {
  const found = scanJpegOrientation(jpeg);
  if (!found.exifEntryAt) return null;
  const { offset, little } = found.exifEntryAt;
  const src = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  // Already a plain SHORT 1: nothing for a browser to rotate, nothing for us to apply.
  if (src.getUint16(offset + 2, little) === 3 && src.getUint32(offset + 4, little) === 1 && src.getUint16(offset + 8, little) === 1) return null;
  const bytes = jpeg.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint16(offset + 2, 3, little); // SHORT
  view.setUint32(offset + 4, 1, little); // count 1
  view.setUint16(offset + 8, 1, little); // value 1, inline
  view.setUint16(offset + 10, 0, little);
  return { bytes, orientation: found.exif ?? found.xmp ?? 1 };
}

/** Scans the JPEG headers before the first scan for orientation metadata. */
export function readJpegOrientationSources(jpeg: Uint8Array): JpegOrientationSources {
  const { exif, xmp } = scanJpegOrientation(jpeg);
  return { exif, xmp };
}

function scanJpegOrientation(jpeg: Uint8Array): JpegOrientationScan {
  const found: JpegOrientationScan = { exif: null, xmp: null };
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return found;
  let sawExif = false;
  let p = 2;
  while (p + 4 <= jpeg.length) {
    if (jpeg[p] !== 0xff) break; // not a marker: corrupt header, the decoder will complain
    const marker = jpeg[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (isStandaloneJpegMarker(marker)) {
      p += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
    const length = (jpeg[p + 2] << 8) | jpeg[p + 3];
    if (length < 2 || p + 2 + length > jpeg.length) break;
    const segment = jpeg.subarray(p + 4, p + 2 + length);
    if (marker === 0xe1) {
      // Pillow keeps the first Exif segment and the last XMP one.
      if (!sawExif && startsWith(segment, 0, EXIF_HEADER)) {
        sawExif = true;
        found.exif = readTiffOrientation(segment);
        const at = tiffOrientationEntryAt(segment);
        if (at) found.exifEntryAt = { offset: p + 4 + at.offset, little: at.little };
      } else if (segment.length > XMP_JPEG_HEADER.length && latin1(segment.subarray(0, XMP_JPEG_HEADER.length)) === XMP_JPEG_HEADER) {
        found.xmp = readXmpOrientation(latin1(segment.subarray(XMP_JPEG_HEADER.length)));
      }
    }
    p += 2 + length;
  }
  return found;
}

/** The orientation Pillow's `exif_transpose` would use for a JPEG (1 when none is declared). */
export function readJpegOrientation(jpeg: Uint8Array): number {
  const { exif, xmp } = readJpegOrientationSources(jpeg);
  return exif ?? xmp ?? 1;
}

export function isTransposingOrientation(value: number): value is Exclude<ExifOrientation, 1> {
  return Number.isInteger(value) && value >= 2 && value <= 8;
}

/**
 * Applies the Pillow transpose that `exif_transpose` picks for `orientation`:
 * 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270 (90° clockwise),
 * 7 TRANSVERSE, 8 ROTATE_90 (90° counter-clockwise). Other values return the image unchanged.
 */
export function applyExifOrientation(image: RgbImage, orientation: number): RgbImage {
  if (!isTransposingOrientation(orientation)) return image;
  const w = image.width;
  const h = image.height;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const src = image.data;
  const out = new Uint8Array(w * h * 3);
  // For each output pixel (x, y), the source pixel it comes from.
  let sourceOf: (x: number, y: number) => number;
  switch (orientation) {
    case 2:
      sourceOf = (x, y) => y * w + (w - 1 - x);
      break;
    case 3:
      sourceOf = (x, y) => (h - 1 - y) * w + (w - 1 - x);
      break;
    case 4:
      sourceOf = (x, y) => (h - 1 - y) * w + x;
      break;
    case 5:
      sourceOf = (x, y) => x * w + y;
      break;
    case 6:
      sourceOf = (x, y) => (h - 1 - x) * w + y;
      break;
    case 7:
      sourceOf = (x, y) => (h - 1 - x) * w + (w - 1 - y);
      break;
    case 8:
      sourceOf = (x, y) => x * w + (w - 1 - y);
      break;
  }
  let o = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const p = sourceOf(x, y) * 3;
      out[o++] = src[p];
      out[o++] = src[p + 1];
      out[o++] = src[p + 2];
    }
  }
  return { data: out, width: outW, height: outH };
}
