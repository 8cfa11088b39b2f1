/**
 * ICO decoding that follows Pillow's IcoImagePlugin for `Image.open(f).convert("RGB")`: the entry
 * Pillow opens is the one with the largest directory size (width × height, 0 meaning 256), the
 * lowest colour depth among equals, the first in the file after that; an entry that starts with
 * the PNG signature is a PNG, anything else a BMP without its file header whose height counts the
 * XOR and AND bitmaps (only the first half is the image). Alpha (PNG alpha, 32-bit BMP alpha or
 * the AND mask) is dropped without compositing, as convert("RGB") does — which a canvas, which
 * premultiplies, cannot do. The embedded PNG and BMP go through our PNG and BMP decoders.
 */
import { SiglipError } from '../../errors.js';
import { decodeBmp } from './bmp-decode.js';
import { decodePng, isPng } from './png-decode.js';
import type { RgbImage } from './rgb-image.js';

interface IcoEntry {
  square: number;
  depth: number;
  offset: number;
  index: number;
}

function icoError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: ICO ${message}`);
}

/** True for the ICO signature (reserved 0, type 1). */
export function isIco(b: Uint8Array): boolean {
  return b.length >= 6 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0;
}

/** The entry Pillow opens (IcoFile: sort by colour depth, then by square descending, both stable). */
export function pickIcoEntry(b: Uint8Array, label = 'image'): IcoEntry {
  if (!isIco(b)) throw icoError(label, 'signature is missing');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = view.getUint16(4, true);
  if (count === 0) throw icoError(label, 'has no images');
  if (6 + 16 * count > b.length) throw icoError(label, 'directory is truncated');
  const entries: IcoEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = 6 + 16 * i;
    const width = b[e] || 256;
    const height = b[e + 1] || 256;
    const colors = b[e + 2];
    const bpp = view.getUint16(e + 6, true);
    const depth = bpp || (colors !== 0 ? Math.ceil(Math.log2(colors)) : 0) || 256;
    entries.push({ square: width * height, depth, offset: view.getUint32(e + 12, true), index: i });
  }
  entries.sort((x, y) => y.square - x.square || x.depth - y.depth || x.index - y.index);
  return entries[0] as IcoEntry;
}

/** Wraps an ICO's headerless BMP (DIB) as a BMP file of the XOR half, the way Pillow reads it. */
function dibAsBmp(b: Uint8Array, offset: number, label: string): Uint8Array {
  if (offset + 16 > b.length) throw icoError(label, 'image data is truncated');
  const view = new DataView(b.buffer, b.byteOffset + offset, b.byteLength - offset);
  const headerSize = view.getUint32(0, true);
  let bits: number;
  let colors = 0;
  let paletteEntry = 4;
  let extra = 0;
  if (headerSize === 12) {
    bits = view.getUint16(10, true);
    paletteEntry = 3;
  } else if (headerSize >= 40 && offset + headerSize <= b.length) {
    bits = view.getUint16(14, true);
    colors = view.getUint32(32, true);
    if (headerSize === 40 && view.getUint32(16, true) === 3) extra = 12; // BI_BITFIELDS masks after the header
  } else {
    throw icoError(label, `image has an unsupported header (${headerSize} bytes)`);
  }
  const palette = bits <= 8 ? paletteEntry * (colors || 2 ** bits) : 0;
  const dib = b.subarray(offset);
  const out = new Uint8Array(14 + dib.length);
  out.set(dib, 14);
  const o = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  o.setUint32(2, out.length, true);
  o.setUint32(10, 14 + headerSize + extra + palette, true);
  // The DIB height counts the XOR bitmap and the AND mask: Pillow keeps floor(height / 2) rows.
  if (headerSize === 12) o.setUint16(14 + 8, Math.floor(o.getUint16(14 + 8, true) / 2), true);
  else o.setInt32(14 + 8, Math.trunc(o.getInt32(14 + 8, true) / 2), true);
  return out;
}

export async function decodeIco(bytes: Uint8Array, label = 'image'): Promise<RgbImage> {
  const entry = pickIcoEntry(bytes, label);
  if (entry.offset >= bytes.length) throw icoError(label, 'image offset is past the end of the file (truncated?)');
  const data = bytes.subarray(entry.offset);
  if (isPng(data)) {
    // Pillow does not look at an embedded PNG's EXIF orientation (the ICO image has no EXIF).
    const { data: rgb, width, height } = await decodePng(data, { label: `${label} (PNG in ICO)`, applyOrientation: false });
    return { data: rgb, width, height };
  }
  return decodeBmp(dibAsBmp(bytes, entry.offset, label), `${label} (BMP in ICO)`);
}
