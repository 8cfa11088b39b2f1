/**
 * A WebP lossless (VP8L) decoder, written from RFC 9649. Output is the stored ARGB, never
 * premultiplied: Pillow (libwebp, MODE_RGBA) keeps the RGB of fully transparent pixels, whereas a
 * browser canvas loses it, so this is what makes lossless WebP match Python exactly.
 */
import { BitReader, PrefixCode, readPrefixCode, vp8lError } from './vp8l-huffman.js';
import { MAX_IMAGE_PIXELS } from './rgb-image.js';

export interface Vp8lImage {
  width: number;
  height: number;
  /** One 0xAARRGGBB value per pixel, row-major. */
  argb: Uint32Array;
}

const NUM_LITERALS = 256;
const NUM_LENGTH_CODES = 24;
const NUM_DISTANCE_CODES = 40;
const MAX_CACHE_BITS = 11;

// RFC 9649 §4.2.2 distance map, as (dy << 4) | (8 - dx) for the 120 short-distance codes.
const CODE_TO_PLANE = [
  0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a, 0x38, 0x05, 0x37, 0x39, 0x15, 0x1b, 0x36, 0x3a,
  0x25, 0x2b, 0x48, 0x04, 0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45, 0x4b, 0x34, 0x3c, 0x03,
  0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d, 0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d, 0x68, 0x02, 0x67, 0x69, 0x12, 0x1e,
  0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e, 0x78, 0x01, 0x77, 0x79, 0x53, 0x5d, 0x11, 0x1f,
  0x64, 0x6c, 0x42, 0x4e, 0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b, 0x31, 0x3f, 0x63, 0x6d, 0x52, 0x5e, 0x00, 0x74, 0x7c, 0x41,
  0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d, 0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61, 0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70,
];

type Transform =
  | { kind: 'predictor' | 'cross-color'; bits: number; data: Uint32Array; xsize: number }
  | { kind: 'subtract-green' }
  | { kind: 'color-indexing'; bits: number; palette: Uint32Array; xsize: number };

/** The five prefix codes of one group: green+length+cache, red, blue, alpha, distance. */
type CodeGroup = readonly [PrefixCode, PrefixCode, PrefixCode, PrefixCode, PrefixCode];

interface EntropyImage {
  groups: CodeGroup[];
  /** Group index per block of (1 << bits) pixels, or null for one group everywhere. */
  meta: Uint32Array | null;
  metaBits: number;
  metaXsize: number;
  cacheBits: number;
}

const subSampleSize = (size: number, bits: number): number => (size + (1 << bits) - 1) >> bits;

function readCopyValue(symbol: number, br: BitReader): number {
  if (symbol < 4) return symbol + 1;
  const extraBits = (symbol - 2) >> 1;
  const offset = (2 + (symbol & 1)) << extraBits;
  return offset + br.read(extraBits) + 1;
}

function planeCodeToDistance(xsize: number, planeCode: number): number {
  if (planeCode > 120) return planeCode - 120;
  const v = CODE_TO_PLANE[planeCode - 1];
  const dist = (v >> 4) * xsize + (8 - (v & 0xf));
  return dist >= 1 ? dist : 1;
}

class Vp8lDecoder {
  private readonly br: BitReader;

  constructor(
    bytes: Uint8Array,
    private readonly label: string,
  ) {
    this.br = new BitReader(bytes, label);
  }

  decode(): Vp8lImage {
    const br = this.br;
    if (br.read(8) !== 0x2f) throw vp8lError(this.label, 'has a bad signature');
    const width = br.read(14) + 1;
    const height = br.read(14) + 1;
    br.read(1); // alpha hint: the pixels carry alpha either way
    if (br.read(3) !== 0) throw vp8lError(this.label, 'has an unknown version');
    if (width * height > MAX_IMAGE_PIXELS) throw vp8lError(this.label, `is ${width}x${height}, above the ${MAX_IMAGE_PIXELS}-pixel limit`);

    const transforms: Transform[] = [];
    let xsize = width;
    const seen = new Set<string>();
    while (br.read(1) === 1) {
      const transform = this.readTransform(xsize, height);
      if (seen.has(transform.kind)) throw vp8lError(this.label, `repeats the ${transform.kind} transform`);
      seen.add(transform.kind);
      transforms.push(transform);
      if (transform.kind === 'color-indexing') xsize = subSampleSize(xsize, transform.bits);
    }
    let argb = this.decodeImageStream(xsize, height, true);
    for (let i = transforms.length - 1; i >= 0; i--) argb = inverseTransform(transforms[i], argb, width, height);
    return { width, height, argb };
  }

  private readTransform(xsize: number, ysize: number): Transform {
    const type = this.br.read(2);
    if (type === 2) return { kind: 'subtract-green' };
    if (type === 3) {
      const size = this.br.read(8) + 1;
      const bits = size > 16 ? 0 : size > 4 ? 1 : size > 2 ? 2 : 3;
      const coded = this.decodeImageStream(size, 1, false);
      // Entries are stored as differences to the previous one; unused entries are transparent black.
      const palette = new Uint32Array(256);
      let prev = 0;
      for (let i = 0; i < size; i++) {
        prev = addPixels(prev, coded[i]);
        palette[i] = prev;
      }
      return { kind: 'color-indexing', bits, palette, xsize };
    }
    const bits = this.br.read(3) + 2;
    const data = this.decodeImageStream(subSampleSize(xsize, bits), subSampleSize(ysize, bits), false);
    return { kind: type === 0 ? 'predictor' : 'cross-color', bits, data, xsize };
  }

  private readEntropyImage(xsize: number, ysize: number, isMain: boolean): EntropyImage {
    const br = this.br;
    let cacheBits = 0;
    if (br.read(1) === 1) {
      cacheBits = br.read(4);
      if (cacheBits < 1 || cacheBits > MAX_CACHE_BITS) throw vp8lError(this.label, 'has an invalid colour cache size');
    }
    let meta: Uint32Array | null = null;
    let metaBits = 0;
    let metaXsize = 0;
    let numGroups = 1;
    if (isMain && br.read(1) === 1) {
      metaBits = br.read(3) + 2;
      metaXsize = subSampleSize(xsize, metaBits);
      meta = this.decodeImageStream(metaXsize, subSampleSize(ysize, metaBits), false);
      for (let i = 0; i < meta.length; i++) {
        meta[i] = (meta[i] >>> 8) & 0xffff;
        numGroups = Math.max(numGroups, meta[i] + 1);
      }
    }
    br.checkNotTruncated();
    const greenSize = NUM_LITERALS + NUM_LENGTH_CODES + (cacheBits > 0 ? 1 << cacheBits : 0);
    const groups: CodeGroup[] = [];
    for (let g = 0; g < numGroups; g++) {
      groups.push([
        readPrefixCode(br, greenSize, this.label),
        readPrefixCode(br, NUM_LITERALS, this.label),
        readPrefixCode(br, NUM_LITERALS, this.label),
        readPrefixCode(br, NUM_LITERALS, this.label),
        readPrefixCode(br, NUM_DISTANCE_CODES, this.label),
      ]);
    }
    return { groups, meta, metaBits, metaXsize, cacheBits };
  }

  /** Decodes one entropy-coded image (the main image or a transform/meta sub-image). */
  private decodeImageStream(xsize: number, ysize: number, isMain: boolean): Uint32Array {
    const br = this.br;
    const entropy = this.readEntropyImage(xsize, ysize, isMain);
    const total = xsize * ysize;
    const out = new Uint32Array(total);
    const cache = entropy.cacheBits > 0 ? new Uint32Array(1 << entropy.cacheBits) : null;
    const cacheShift = 32 - entropy.cacheBits;
    const mask = entropy.meta ? (1 << entropy.metaBits) - 1 : -1;
    const groupAt = (x: number, y: number): CodeGroup =>
      entropy.meta ? entropy.groups[entropy.meta[(y >> entropy.metaBits) * entropy.metaXsize + (x >> entropy.metaBits)]] : entropy.groups[0];
    let cached = 0; // pixels before this index are in the colour cache
    const fillCache = (upTo: number): void => {
      if (!cache) return;
      for (; cached < upTo; cached++) cache[Math.imul(out[cached], 0x1e35a7bd) >>> cacheShift] = out[cached];
    };
    let x = 0;
    let y = 0;
    let pos = 0;
    let group = groupAt(0, 0);
    while (pos < total) {
      if ((x & mask) === 0) group = groupAt(x, y);
      if (br.overrun) throw vp8lError(this.label, 'data is truncated');
      const code = group[0].read(br);
      if (code < NUM_LITERALS) {
        const red = group[1].read(br);
        const blue = group[2].read(br);
        const alpha = group[3].read(br);
        out[pos++] = ((alpha << 24) | (red << 16) | (code << 8) | blue) >>> 0;
        if (++x >= xsize) {
          x = 0;
          y++;
        }
      } else if (code < NUM_LITERALS + NUM_LENGTH_CODES) {
        const length = readCopyValue(code - NUM_LITERALS, br);
        const distSymbol = group[4].read(br);
        const dist = planeCodeToDistance(xsize, readCopyValue(distSymbol, br));
        if (pos < dist || total - pos < length) throw vp8lError(this.label, 'is corrupt (back-reference out of range)');
        for (let i = 0; i < length; i++, pos++) out[pos] = out[pos - dist];
        x += length;
        while (x >= xsize) {
          x -= xsize;
          y++;
        }
        if (pos < total && (x & mask) !== 0) group = groupAt(x, y);
      } else {
        if (!cache) throw vp8lError(this.label, 'is corrupt (colour cache code without a cache)');
        fillCache(pos);
        out[pos++] = cache[code - NUM_LITERALS - NUM_LENGTH_CODES];
        if (++x >= xsize) {
          x = 0;
          y++;
        }
      }
    }
    br.checkNotTruncated();
    return out;
  }
}

/** Per-channel (a + b) mod 256. */
function addPixels(a: number, b: number): number {
  const alphaGreen = (a & 0xff00ff00) + (b & 0xff00ff00);
  const redBlue = (a & 0x00ff00ff) + (b & 0x00ff00ff);
  return ((alphaGreen & 0xff00ff00) | (redBlue & 0x00ff00ff)) >>> 0;
}

function average2(a: number, b: number): number {
  return ((((a ^ b) & 0xfefefefe) >>> 1) + (a & b)) >>> 0;
}

function channel(p: number, shift: number): number {
  return (p >>> shift) & 0xff;
}

function select(left: number, top: number, topLeft: number): number {
  let predictLeft = 0;
  let predictTop = 0;
  for (let s = 0; s < 32; s += 8) {
    predictLeft += Math.abs(channel(top, s) - channel(topLeft, s));
    predictTop += Math.abs(channel(left, s) - channel(topLeft, s));
  }
  return predictLeft < predictTop ? left : top;
}

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

function clampAddSubtractFull(a: number, b: number, c: number): number {
  let out = 0;
  for (let s = 0; s < 32; s += 8) out |= clamp255(channel(a, s) + channel(b, s) - channel(c, s)) << s;
  return out >>> 0;
}

function clampAddSubtractHalf(a: number, b: number): number {
  let out = 0;
  // C integer division: truncates toward zero.
  for (let s = 0; s < 32; s += 8) out |= clamp255(channel(a, s) + Math.trunc((channel(a, s) - channel(b, s)) / 2)) << s;
  return out >>> 0;
}

function predict(mode: number, data: Uint32Array, pos: number, width: number): number {
  const left = data[pos - 1];
  const top = data[pos - width];
  switch (mode) {
    case 1:
      return left;
    case 2:
      return top;
    case 3:
      return data[pos - width + 1]; // for the last column: the row's first pixel, as the spec says
    case 4:
      return data[pos - width - 1];
    case 5:
      return average2(average2(left, data[pos - width + 1]), top);
    case 6:
      return average2(left, data[pos - width - 1]);
    case 7:
      return average2(left, top);
    case 8:
      return average2(data[pos - width - 1], top);
    case 9:
      return average2(top, data[pos - width + 1]);
    case 10:
      return average2(average2(left, data[pos - width - 1]), average2(top, data[pos - width + 1]));
    case 11:
      return select(left, top, data[pos - width - 1]);
    case 12:
      return clampAddSubtractFull(left, top, data[pos - width - 1]);
    case 13:
      return clampAddSubtractHalf(average2(left, top), data[pos - width - 1]);
    default:
      return 0xff000000; // modes 0, 14 and 15
  }
}

function inversePredictor(bits: number, modes: Uint32Array, data: Uint32Array, width: number, height: number): void {
  const tilesPerRow = subSampleSize(width, bits);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pos = y * width + x;
      let prediction: number;
      if (y === 0) prediction = x === 0 ? 0xff000000 : data[pos - 1];
      else if (x === 0) prediction = data[pos - width];
      else prediction = predict((modes[(y >> bits) * tilesPerRow + (x >> bits)] >>> 8) & 0xf, data, pos, width);
      data[pos] = addPixels(data[pos], prediction);
    }
  }
}

const colorTransformDelta = (t: number, c: number): number => (((t << 24) >> 24) * ((c << 24) >> 24)) >> 5;

function inverseCrossColor(bits: number, elements: Uint32Array, data: Uint32Array, width: number, height: number): void {
  const tilesPerRow = subSampleSize(width, bits);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const element = elements[(y >> bits) * tilesPerRow + (x >> bits)];
      const greenToRed = element & 0xff;
      const greenToBlue = (element >>> 8) & 0xff;
      const redToBlue = (element >>> 16) & 0xff;
      const pos = y * width + x;
      const p = data[pos];
      const green = (p >>> 8) & 0xff;
      const red = (((p >>> 16) & 0xff) + colorTransformDelta(greenToRed, green)) & 0xff;
      const blue = ((p & 0xff) + colorTransformDelta(greenToBlue, green) + colorTransformDelta(redToBlue, red)) & 0xff;
      data[pos] = ((p & 0xff00ff00) | (red << 16) | blue) >>> 0;
    }
  }
}

function inverseTransform(t: Transform, data: Uint32Array, width: number, height: number): Uint32Array {
  switch (t.kind) {
    case 'subtract-green':
      for (let i = 0; i < data.length; i++) {
        const p = data[i];
        const green = (p >>> 8) & 0xff;
        data[i] = ((p & 0xff00ff00) | ((((p >>> 16) + green) & 0xff) << 16) | (((p & 0xff) + green) & 0xff)) >>> 0;
      }
      return data;
    case 'predictor':
      inversePredictor(t.bits, t.data, data, t.xsize, height);
      return data;
    case 'cross-color':
      inverseCrossColor(t.bits, t.data, data, t.xsize, height);
      return data;
    case 'color-indexing': {
      // Indices sit in the green channel, several to a byte when the palette is small.
      const out = new Uint32Array(t.xsize * height);
      const packedWidth = subSampleSize(t.xsize, t.bits);
      const bitsPerIndex = 8 >> t.bits;
      const indexMask = (1 << bitsPerIndex) - 1;
      const perByteMask = (1 << t.bits) - 1;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < t.xsize; x++) {
          const green = (data[y * packedWidth + (x >> t.bits)] >>> 8) & 0xff;
          out[y * t.xsize + x] = t.palette[(green >> ((x & perByteMask) * bitsPerIndex)) & indexMask];
        }
      }
      return out;
    }
  }
}

/** Decodes a VP8L bitstream (the payload of a "VP8L" chunk, or an ALPH chunk's lossless data). */
export function decodeVp8l(bytes: Uint8Array, label = 'image'): Vp8lImage {
  const image = new Vp8lDecoder(bytes, label).decode();
  if (image.argb.length !== image.width * image.height) throw vp8lError(label, 'is corrupt (pixel count mismatch)');
  return image;
}
