/** Test-only helpers: fixture access and a minimal PNG encoder for synthetic decoder tests. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures');

export function fixtureBytes(...parts: string[]): Uint8Array<ArrayBuffer> {
  const buf = readFileSync(join(FIXTURES, ...parts));
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return copy;
}

export function fixtureJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(FIXTURES, ...parts), 'utf8')) as T;
}

export function fixtureFloat32(...parts: string[]): Float32Array {
  const b = readFileSync(join(FIXTURES, ...parts));
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

export interface DiffStats {
  maxAbs: number;
  meanAbs: number;
  mismatches: number;
}

export function diffStats(a: ArrayLike<number>, b: ArrayLike<number>): DiffStats {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let maxAbs = 0;
  let sum = 0;
  let mismatches = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > maxAbs) maxAbs = d;
    sum += d;
    // Object.is separates +0/-0 and catches NaN, so "equal" means bit-identical floats.
    if (!Object.is(a[i], b[i])) mismatches++;
  }
  return { maxAbs, meanAbs: sum / a.length, mismatches };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Uint8Array {
  const d = new Uint8Array(13);
  const v = new DataView(d.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  d[8] = bitDepth;
  d[9] = colorType;
  d[12] = interlace;
  return chunk('IHDR', d);
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export interface SyntheticPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Samples per pixel in file order (gray / RGB / index / GA / RGBA), each 0..2^bitDepth-1. */
  samples: (x: number, y: number) => number[];
  /** Filter type per row (cycled), 0..4. */
  filters?: number[];
  interlace?: boolean;
  palette?: Uint8Array;
  extraChunks?: Uint8Array[];
}

function packRow(png: SyntheticPng, xs: number[], y: number): Uint8Array {
  const ch = CHANNELS[png.colorType];
  const bits = ch * png.bitDepth;
  const out = new Uint8Array(Math.ceil((xs.length * bits) / 8));
  let bit = 0;
  for (const x of xs) {
    for (const s of png.samples(x, y)) {
      if (png.bitDepth === 16) {
        out[bit >> 3] = s >> 8;
        out[(bit >> 3) + 1] = s & 0xff;
      } else if (png.bitDepth === 8) {
        out[bit >> 3] = s;
      } else {
        out[bit >> 3] |= s << (8 - png.bitDepth - (bit & 7));
      }
      bit += png.bitDepth;
    }
  }
  return out;
}

function filterRow(type: number, row: Uint8Array, prev: Uint8Array | null, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length + 1);
  out[0] = type;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= bpp ? prev[i - bpp] : 0;
    let pred = 0;
    if (type === 1) pred = a;
    else if (type === 2) pred = b;
    else if (type === 3) pred = (a + b) >> 1;
    else if (type === 4) {
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    out[i + 1] = (row[i] - pred) & 0xff;
  }
  return out;
}

/** Raw (pre-compression) scanlines, filtered, for the given geometry. */
export function scanlines(png: SyntheticPng): Uint8Array {
  const bpp = Math.max(1, (CHANNELS[png.colorType] * png.bitDepth) >> 3);
  const passes = png.interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const rows: Uint8Array[] = [];
  let rowIndex = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const xs: number[] = [];
    for (let x = x0; x < png.width; x += dx) xs.push(x);
    if (xs.length === 0) continue;
    let prev: Uint8Array | null = null;
    for (let y = y0; y < png.height; y += dy) {
      const row = packRow(png, xs, y);
      const filters = png.filters ?? [0];
      rows.push(filterRow(filters[rowIndex++ % filters.length], row, prev, bpp));
      prev = row;
    }
  }
  return concat(rows);
}

export function encodePng(png: SyntheticPng): Uint8Array<ArrayBuffer> {
  const parts = [PNG_SIGNATURE, ihdr(png.width, png.height, png.bitDepth, png.colorType, png.interlace ? 1 : 0)];
  if (png.palette) parts.push(chunk('PLTE', png.palette));
  parts.push(...(png.extraChunks ?? []));
  parts.push(chunk('IDAT', new Uint8Array(deflateSync(scanlines(png)))));
  parts.push(chunk('IEND', new Uint8Array(0)));
  return concat(parts);
}

/** A little-endian TIFF/EXIF block with a single Orientation entry. */
export function exifWithOrientation(orientation: number, bigEndian = false, withExifPrefix = false): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const v = new DataView(tiff.buffer);
  const le = !bigEndian;
  tiff[0] = tiff[1] = bigEndian ? 0x4d : 0x49;
  v.setUint16(2, 42, le);
  v.setUint32(4, 8, le);
  v.setUint16(8, 1, le);
  v.setUint16(10, 0x0112, le);
  v.setUint16(12, 3, le);
  v.setUint32(14, 1, le);
  v.setUint16(18, orientation, le);
  return withExifPrefix ? concat([new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0]), tiff]) : tiff;
}
