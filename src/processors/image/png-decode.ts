/**
 * A complete PNG decoder producing exactly what Pillow gives for
 * `ImageOps.exif_transpose(Image.open(f)).convert("RGB")`.
 *
 * Why not a canvas: browsers premultiply alpha (an alpha-0 pixel's RGB is lost, whereas PIL keeps
 * it when it drops alpha) and apply gAMA/iCCP colour management, which PIL does not. Pillow's
 * conversions reproduced here: alpha dropped without compositing; gray replicated; 1/2/4-bit gray
 * scaled to 0..255; palette looked up with tRNS ignored; 16-bit RGB(A)/LA keep the high byte;
 * 16-bit gray ("I;16") is clipped to 255, not shifted.
 */
import { SiglipError } from '../../errors.js';
import { applyExifOrientation, readTiffOrientation, readXmpOrientation } from './exif-orientation.js';
import { inflateZlib } from './inflate.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < SIGNATURE.length) return false;
  for (let i = 0; i < SIGNATURE.length; i++) if (bytes[i] !== SIGNATURE[i]) return false;
  return true;
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

export interface DecodedPng extends RgbImage {
  /** EXIF orientation found in the file (1 when none); already applied unless disabled. */
  orientation: number;
}

export interface DecodePngOptions {
  /** Apply the EXIF/XMP orientation like `exif_transpose` (default true). */
  applyOrientation?: boolean;
  /** Names the input in error messages, e.g. a file name or "image 3". */
  label?: string;
}

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** Adam7 passes as [x0, y0, dx, dy]. */
const ADAM7: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array, start: number, end: number): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function readU32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

function ascii(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

interface ParsedPng {
  header: PngHeader;
  palette: Uint8Array | null;
  idat: Uint8Array<ArrayBuffer>;
  exif: Uint8Array | null;
  rawProfileExif: string | null;
  xmp: string | null;
}

function decodeError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: ${message}`);
}

function parseHeader(data: Uint8Array, label: string): PngHeader {
  const width = readU32(data, 0);
  const height = readU32(data, 4);
  const bitDepth = data[8];
  const colorType = data[9];
  const compression = data[10];
  const filter = data[11];
  const interlace = data[12];
  checkImageSize(width, height, `${label}: PNG`);
  const depths = ALLOWED_DEPTHS[colorType];
  if (!depths) throw decodeError(label, `invalid PNG colour type ${colorType}`);
  if (!depths.includes(bitDepth)) throw decodeError(label, `invalid PNG bit depth ${bitDepth} for colour type ${colorType}`);
  if (compression !== 0 || filter !== 0) throw decodeError(label, 'unknown PNG compression or filter method');
  if (interlace > 1) throw decodeError(label, `unknown PNG interlace method ${interlace}`);
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
}

/** Parses just enough to know the size (used to refuse oversized images before decoding). */
export function readPngHeader(bytes: Uint8Array, label = 'PNG image'): PngHeader {
  if (!isPng(bytes)) throw decodeError(label, 'not a PNG file (bad signature)');
  if (bytes.length < 33 || ascii(bytes, 12, 16) !== 'IHDR' || readU32(bytes, 8) !== 13) {
    throw decodeError(label, 'PNG is truncated or does not start with an IHDR chunk');
  }
  // Checked here, not only in the chunk walk, so a damaged size is never trusted.
  if (crc32(bytes, 12, 29) !== readU32(bytes, 29)) throw decodeError(label, 'PNG is corrupt (CRC mismatch in "IHDR" chunk at byte 8)');
  return parseHeader(bytes.subarray(16, 29), label);
}

function parseChunks(bytes: Uint8Array, label: string): ParsedPng {
  const header = readPngHeader(bytes, label);
  let palette: Uint8Array | null = null;
  let exif: Uint8Array | null = null;
  let rawProfileExif: string | null = null;
  let xmp: string | null = null;
  const idatParts: Uint8Array[] = [];
  let idatLength = 0;
  let p = 8;
  let sawIend = false;
  while (p + 8 <= bytes.length) {
    const length = readU32(bytes, p);
    const type = ascii(bytes, p + 4, p + 8);
    const dataStart = p + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) {
      // Pillow decodes what is there of a cut-off IDAT and fails only if pixels are missing.
      if (type === 'IDAT') {
        const part = bytes.subarray(dataStart, Math.min(dataEnd, bytes.length));
        idatParts.push(part);
        idatLength += part.length;
      }
      break;
    }
    // Pillow checks the CRC of the chunks before the first IDAT only (IDAT and later: skipped).
    if (type !== 'IDAT' && idatParts.length === 0 && crc32(bytes, p + 4, dataEnd) !== readU32(bytes, dataEnd)) {
      throw decodeError(label, `PNG is corrupt (CRC mismatch in ${JSON.stringify(type)} chunk at byte ${p})`);
    }
    const data = bytes.subarray(dataStart, dataEnd);
    switch (type) {
      case 'IDAT':
        idatParts.push(data);
        idatLength += data.length;
        break;
      case 'PLTE':
        if (length % 3 !== 0 || length === 0 || length > 768) throw decodeError(label, `invalid PNG palette length ${length}`);
        palette = data;
        break;
      case 'eXIf':
        exif = data;
        break;
      case 'tEXt': {
        const nul = data.indexOf(0);
        if (nul > 0 && ascii(data, 0, nul) === 'Raw profile type exif') rawProfileExif = ascii(data, nul + 1, data.length);
        break;
      }
      case 'iTXt': {
        const nul = data.indexOf(0);
        // Only uncompressed XMP: keyword \0 flag method lang \0 translated \0 text.
        if (nul > 0 && ascii(data, 0, nul) === 'XML:com.adobe.xmp' && data[nul + 1] === 0) {
          const langEnd = data.indexOf(0, nul + 3);
          const transEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
          if (transEnd >= 0) xmp = new TextDecoder().decode(data.subarray(transEnd + 1));
        }
        break;
      }
      case 'IEND':
        sawIend = true;
        break;
      default:
        break; // ancillary data PIL ignores for pixels (gAMA, iCCP, tRNS, sRGB, ...)
    }
    if (sawIend) break;
    p = dataEnd + 4;
  }
  if (header.colorType === 3 && !palette) throw decodeError(label, 'palette PNG has no PLTE chunk');
  if (idatLength === 0) throw decodeError(label, 'PNG is truncated (no image data)');
  const idat = new Uint8Array(idatLength);
  let o = 0;
  for (const part of idatParts) {
    idat.set(part, o);
    o += part.length;
  }
  return { header, palette, idat, exif, rawProfileExif, xmp };
}

function orientationOf(png: ParsedPng): number {
  let fromExif: number | null = null;
  if (png.exif) {
    fromExif = readTiffOrientation(png.exif);
  } else if (png.rawProfileExif !== null) {
    // ImageMagick's text form, decoded as Pillow does: hex digits after the third line.
    const hex = png.rawProfileExif.split('\n').slice(3).join('').replace(/\s+/g, '');
    if (/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
      const tiff = new Uint8Array(hex.length / 2);
      for (let i = 0; i < tiff.length; i++) tiff[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      fromExif = readTiffOrientation(tiff);
    }
  }
  if (fromExif === null && png.xmp !== null) fromExif = readXmpOrientation(png.xmp);
  return fromExif ?? 1;
}

function bitsPerPixel(h: PngHeader): number {
  return CHANNELS[h.colorType] * h.bitDepth;
}

function rowBytes(h: PngHeader, width: number): number {
  return Math.ceil((width * bitsPerPixel(h)) / 8);
}

function passesOf(h: PngHeader): { x0: number; y0: number; dx: number; dy: number; w: number; rows: number }[] {
  const passes = h.interlaced ? ADAM7 : [[0, 0, 1, 1] as const];
  return passes
    .map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: Math.ceil((h.width - x0) / dx), rows: Math.ceil((h.height - y0) / dy) }))
    .filter((pass) => pass.w > 0 && pass.rows > 0);
}

/** Reverses the PNG row filter in place; `prev` is the previous unfiltered row or null. */
function unfilterRow(raw: Uint8Array, start: number, length: number, prevStart: number, bpp: number, label: string): void {
  const type = raw[start - 1];
  const hasPrev = prevStart >= 0;
  switch (type) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < length; i++) raw[start + i] = (raw[start + i] + raw[start + i - bpp]) & 0xff;
      return;
    case 2:
      if (hasPrev) for (let i = 0; i < length; i++) raw[start + i] = (raw[start + i] + raw[prevStart + i]) & 0xff;
      return;
    case 3:
      for (let i = 0; i < length; i++) {
        const left = i >= bpp ? raw[start + i - bpp] : 0;
        const up = hasPrev ? raw[prevStart + i] : 0;
        raw[start + i] = (raw[start + i] + ((left + up) >> 1)) & 0xff;
      }
      return;
    case 4:
      for (let i = 0; i < length; i++) {
        const a = i >= bpp ? raw[start + i - bpp] : 0;
        const b = hasPrev ? raw[prevStart + i] : 0;
        const c = hasPrev && i >= bpp ? raw[prevStart + i - bpp] : 0;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        const predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        raw[start + i] = (raw[start + i] + predictor) & 0xff;
      }
      return;
    default:
      throw decodeError(label, `PNG is corrupt (invalid filter type ${type})`);
  }
}

/** Writes `count` pixels of one unfiltered row as RGB into `rgb` (3 bytes per pixel). */
function rowToRgb(h: PngHeader, row: Uint8Array, start: number, count: number, palette: Uint8Array, rgb: Uint8Array): void {
  const { bitDepth: bd, colorType: ct } = h;
  if (bd < 8) {
    const mask = (1 << bd) - 1;
    const grayScale = 255 / mask; // 1-bit "1" mode -> 0/255, L;2 -> x85, L;4 -> x17
    for (let i = 0; i < count; i++) {
      const bit = i * bd;
      const v = (row[start + (bit >> 3)] >> (8 - bd - (bit & 7))) & mask;
      if (ct === 3) {
        rgb[3 * i] = palette[3 * v];
        rgb[3 * i + 1] = palette[3 * v + 1];
        rgb[3 * i + 2] = palette[3 * v + 2];
      } else {
        rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v * grayScale;
      }
    }
    return;
  }
  const wide = bd === 16 ? 2 : 1;
  for (let i = 0; i < count; i++) {
    let r: number;
    let g: number;
    let b: number;
    switch (ct) {
      case 0: {
        if (wide === 2) {
          const v16 = (row[start + 2 * i] << 8) | row[start + 2 * i + 1];
          r = g = b = v16 > 255 ? 255 : v16;
        } else {
          r = g = b = row[start + i];
        }
        break;
      }
      case 2: {
        const p = start + 3 * wide * i;
        r = row[p];
        g = row[p + wide];
        b = row[p + 2 * wide];
        break;
      }
      case 3: {
        const v = row[start + i];
        r = palette[3 * v];
        g = palette[3 * v + 1];
        b = palette[3 * v + 2];
        break;
      }
      case 4:
        r = g = b = row[start + 2 * wide * i];
        break;
      default: {
        const p = start + 4 * wide * i;
        r = row[p];
        g = row[p + wide];
        b = row[p + 2 * wide];
      }
    }
    rgb[3 * i] = r;
    rgb[3 * i + 1] = g;
    rgb[3 * i + 2] = b;
  }
}

/** Palette as Pillow holds it: a gray ramp that PLTE entries overwrite (so stray indices stay gray). */
function expandPalette(plte: Uint8Array | null): Uint8Array {
  const palette = new Uint8Array(768);
  for (let i = 0; i < 256; i++) palette[3 * i] = palette[3 * i + 1] = palette[3 * i + 2] = i;
  if (plte) palette.set(plte);
  return palette;
}

export async function decodePng(bytes: Uint8Array, options: DecodePngOptions = {}): Promise<DecodedPng> {
  const label = options.label ?? 'PNG image';
  const png = parseChunks(bytes, label);
  const h = png.header;
  const passes = passesOf(h);
  const bpp = Math.max(1, bitsPerPixel(h) >> 3);
  let expected = 0;
  for (const pass of passes) expected += (rowBytes(h, pass.w) + 1) * pass.rows;
  const raw = await inflateZlib(png.idat, expected, label);

  const palette = expandPalette(png.palette);
  const out = new Uint8Array(h.width * h.height * 3);
  const rgbRow = new Uint8Array(h.width * 3);
  let offset = 0;
  for (const pass of passes) {
    const stride = rowBytes(h, pass.w);
    let prev = -1;
    for (let r = 0; r < pass.rows; r++) {
      const start = offset + 1;
      unfilterRow(raw, start, stride, prev, bpp, label);
      rowToRgb(h, raw, start, pass.w, palette, rgbRow);
      const y = pass.y0 + r * pass.dy;
      if (pass.dx === 1) {
        out.set(rgbRow.subarray(0, pass.w * 3), y * h.width * 3);
      } else {
        for (let i = 0; i < pass.w; i++) {
          const o = (y * h.width + pass.x0 + i * pass.dx) * 3;
          out[o] = rgbRow[3 * i];
          out[o + 1] = rgbRow[3 * i + 1];
          out[o + 2] = rgbRow[3 * i + 2];
        }
      }
      prev = start;
      offset += stride + 1;
    }
  }
  const orientation = orientationOf(png);
  const image: RgbImage = { data: out, width: h.width, height: h.height };
  const oriented = options.applyOrientation === false ? image : applyExifOrientation(image, orientation);
  return { ...oriented, orientation };
}
