/**
 * BMP decoding that follows Pillow's BmpImagePlugin, for `Image.open(f).convert("RGB")`: the
 * same headers (OS/2 v1, Windows v3..v5), bit depths (1, 4, 8, 16, 24, 32), bitfield layouts and
 * RLE4/RLE8 quirks. Alpha is dropped without compositing; uncompressed 32-bit is BGRX; 5- and
 * 6-bit channels scale as floor(v * 255 / max); palette indices past the palette are black, but
 * a palette that is the identity gray ramp makes Pillow read indices as gray levels.
 */
import { SiglipError } from '../../errors.js';
import { MAX_IMAGE_PIXELS, type RgbImage } from './rgb-image.js';

function bmpError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: BMP ${message}`);
}

const RAW = 0;
const RLE8 = 1;
const RLE4 = 2;
const BITFIELDS = 3;

interface BmpHeader {
  width: number;
  height: number;
  bits: number;
  compression: number;
  bottomUp: boolean;
  colors: number;
  paletteEntrySize: number;
  masks: readonly number[] | null; // r, g, b, a
  /** Where the palette starts (right after the header and any separate masks). */
  paletteStart: number;
  pixelStart: number;
}

function readHeader(b: Uint8Array, label: string): BmpHeader {
  if (b.length < 18 || b[0] !== 0x42 || b[1] !== 0x4d) throw bmpError(label, 'signature is missing or the file is truncated');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (p: number): number => view.getUint32(p, true);
  const u16 = (p: number): number => view.getUint16(p, true);
  let offset = u32(10);
  const headerSize = u32(14);
  if (14 + headerSize > b.length) throw bmpError(label, 'is truncated');
  let width: number;
  let height: number;
  let bits: number;
  let compression = RAW;
  let colors = 0;
  let bottomUp = true;
  let paletteEntrySize = 4;
  let masks: number[] | null = null;
  let paletteStart = 14 + headerSize;
  if (headerSize === 12) {
    width = u16(18);
    height = u16(20);
    bits = u16(24);
    paletteEntrySize = 3;
  } else if ([40, 52, 56, 64, 108, 124].includes(headerSize)) {
    width = u32(18);
    // Pillow treats a height whose top byte is 0xFF as negative: rows stored top-down.
    bottomUp = b[25] !== 0xff;
    height = bottomUp ? u32(22) : 2 ** 32 - u32(22);
    bits = u16(28);
    compression = u32(30);
    colors = u32(46);
    if (compression === BITFIELDS) {
      if (headerSize >= 52) {
        masks = [u32(54), u32(58), u32(62), headerSize >= 56 ? u32(66) : 0];
      } else {
        if (paletteStart + 12 > b.length) throw bmpError(label, 'is truncated');
        masks = [u32(54), u32(58), u32(62), 0];
        paletteStart += 12;
      }
    }
  } else {
    throw bmpError(label, `has an unsupported header type (${headerSize})`);
  }
  if (!colors) colors = 2 ** bits;
  if (offset === 14 + headerSize && bits <= 8) offset += paletteEntrySize * colors;
  return { width, height, bits, compression, bottomUp, colors, paletteEntrySize, masks, paletteStart, pixelStart: offset || paletteStart };
}

/** Byte positions of R, G, B inside a 32-bit pixel for the layouts Pillow accepts, or null. */
function channelBytes32(masks: readonly number[]): [number, number, number] | null {
  const key = masks.map((m) => m >>> 0).join(',');
  const supported = [
    '16711680,65280,255,0',
    '4278190080,16711680,65280,0',
    '4278190080,65280,255,0',
    '4278190080,16711680,65280,255',
    '255,65280,16711680,4278190080',
    '16711680,65280,255,4278190080',
    '4278190080,65280,255,16711680',
  ];
  if (key === '0,0,0,0') return [2, 1, 0];
  if (!supported.includes(key)) return null;
  const byteOf = (mask: number): number => {
    let shift = 0;
    while (((mask >>> shift) & 1) === 0) shift++;
    return shift >> 3;
  };
  return [byteOf(masks[0]), byteOf(masks[1]), byteOf(masks[2])];
}

/** Index -> RGB table the way Pillow builds it (gray-ramp palettes become modes "1"/"L"). */
function paletteLut(b: Uint8Array, h: BmpHeader, label: string): Uint8Array {
  if (!(h.colors > 0 && h.colors <= 65536)) throw bmpError(label, `has an unsupported palette size (${h.colors})`);
  const size = h.paletteEntrySize;
  const end = h.paletteStart + size * h.colors;
  if (end > b.length) throw bmpError(label, 'is truncated (palette)');
  const palette = b.subarray(h.paletteStart, end);
  const gray = (i: number): number => (h.colors === 2 ? (i === 0 ? 0 : 255) : i);
  let isGray = true;
  for (let i = 0; i < Math.min(h.colors, 256) && isGray; i++) {
    const v = gray(i);
    if (palette[i * size] !== v || palette[i * size + 1] !== v || palette[i * size + 2] !== v) isGray = false;
  }
  const lut = new Uint8Array(768);
  for (let i = 0; i < 256; i++) {
    if (isGray) {
      lut[3 * i] = lut[3 * i + 1] = lut[3 * i + 2] = h.colors === 2 ? (i === 0 ? 0 : 255) : i;
    } else if (i < h.colors) {
      lut[3 * i] = palette[i * size + 2];
      lut[3 * i + 1] = palette[i * size + 1];
      lut[3 * i + 2] = palette[i * size];
    }
  }
  return lut;
}

/** Pillow's BmpRleDecoder, quirks included (odd RLE4 absolute runs, word alignment by file position). */
function decodeRle(b: Uint8Array, h: BmpHeader, rle4: boolean): Uint8Array {
  const { width, height } = h;
  const total = width * height;
  const data: number[] = [];
  let x = 0;
  let p = h.pixelStart;
  while (data.length < total) {
    if (p + 2 > b.length) break;
    let count = b[p];
    const byte = b[p + 1];
    p += 2;
    if (count) {
      if (x + count > width) count = Math.max(0, width - x);
      const first = rle4 ? byte >> 4 : byte;
      const second = rle4 ? byte & 0x0f : byte;
      for (let i = 0; i < count; i++) data.push(i % 2 === 0 ? first : second);
      x += count;
    } else if (byte === 0) {
      while (data.length % width !== 0) data.push(0);
      x = 0;
    } else if (byte === 1) {
      break;
    } else if (byte === 2) {
      if (p + 2 > b.length) break;
      const right = b[p];
      const up = b[p + 1];
      p += 2;
      for (let i = 0; i < right + up * width; i++) data.push(0);
      x = data.length % width;
    } else {
      const byteCount = rle4 ? byte >> 1 : byte;
      const available = Math.min(byteCount, b.length - p);
      for (let i = 0; i < available; i++) {
        const v = b[p + i];
        if (rle4) data.push(v >> 4, v & 0x0f);
        else data.push(v);
      }
      p += available;
      if (available < byteCount) break;
      x += byte;
      if (p % 2 !== 0) p++;
    }
  }
  if (data.length < total) throw bmpError('', 'RLE data ends before the image is complete');
  return Uint8Array.from(data.slice(0, total));
}

export function decodeBmp(bytes: Uint8Array, label = 'image'): RgbImage {
  const h = readHeader(bytes, label);
  const { width, height, bits } = h;
  if (width === 0 || height === 0) throw new SiglipError('INVALID_INPUT', `${label}: BMP has zero size (${width}x${height})`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new SiglipError('INVALID_INPUT', `${label}: BMP is ${width}x${height}, above the ${MAX_IMAGE_PIXELS}-pixel limit`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw bmpError(label, `has an unsupported pixel depth (${bits})`);
  const out = new Uint8Array(width * height * 3);
  const rowIndex = (r: number): number => (h.bottomUp ? height - 1 - r : r);

  if (h.compression === RLE8 || h.compression === RLE4) {
    if (bits > 8) throw bmpError(label, `RLE with ${bits}-bit pixels is not supported`);
    const lut = paletteLut(bytes, h, label);
    let indices: Uint8Array;
    try {
      indices = decodeRle(bytes, h, h.compression === RLE4);
    } catch (err) {
      throw bmpError(label, `is truncated or corrupt (${err instanceof SiglipError ? 'RLE data ends early' : String(err)})`);
    }
    for (let r = 0; r < height; r++) {
      const y = rowIndex(r);
      for (let x = 0; x < width; x++) out.set(lut.subarray(3 * indices[r * width + x], 3 * indices[r * width + x] + 3), 3 * (y * width + x));
    }
    return { data: out, width, height };
  }

  let channels: [number, number, number] | null = null;
  let sixteen: 555 | 565 = 555;
  if (h.compression === BITFIELDS) {
    const m = h.masks ?? [0, 0, 0, 0];
    const rgb = m.slice(0, 3).join(',');
    if (bits === 32) channels = channelBytes32(m);
    else if (bits === 24 && rgb === '16711680,65280,255') channels = [2, 1, 0];
    else if (bits === 16 && (rgb === '63488,2016,31' || rgb === '31744,992,31')) sixteen = rgb === '63488,2016,31' ? 565 : 555;
    else throw bmpError(label, 'has an unsupported bitfields layout');
    if (bits !== 16 && !channels) throw bmpError(label, 'has an unsupported bitfields layout');
  } else if (h.compression !== RAW) {
    throw bmpError(label, `has an unsupported compression (${h.compression})`);
  }
  if (!channels) channels = [2, 1, 0]; // BGR / BGRX

  const stride = ((width * bits + 31) >>> 3) & ~3;
  if (h.pixelStart + stride * (height - 1) + Math.ceil((width * bits) / 8) > bytes.length) throw bmpError(label, 'is truncated');
  const lut = bits <= 8 ? paletteLut(bytes, h, label) : null;
  const bytesPerPixel = bits >> 3;
  for (let r = 0; r < height; r++) {
    const row = h.pixelStart + r * stride;
    let o = rowIndex(r) * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (lut) {
        const bit = x * bits;
        const index = (bytes[row + (bit >> 3)] >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
        out[o] = lut[3 * index];
        out[o + 1] = lut[3 * index + 1];
        out[o + 2] = lut[3 * index + 2];
      } else if (bits === 16) {
        const v = bytes[row + 2 * x] | (bytes[row + 2 * x + 1] << 8);
        if (sixteen === 565) {
          out[o] = Math.floor((((v >> 11) & 31) * 255) / 31);
          out[o + 1] = Math.floor((((v >> 5) & 63) * 255) / 63);
        } else {
          out[o] = Math.floor((((v >> 10) & 31) * 255) / 31);
          out[o + 1] = Math.floor((((v >> 5) & 31) * 255) / 31);
        }
        out[o + 2] = Math.floor(((v & 31) * 255) / 31);
      } else {
        const p = row + x * bytesPerPixel;
        out[o] = bytes[p + channels[0]];
        out[o + 1] = bytes[p + channels[1]];
        out[o + 2] = bytes[p + channels[2]];
      }
    }
  }
  return { data: out, width, height };
}
