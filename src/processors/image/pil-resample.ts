/**
 * Port of Pillow's `Image.resize` for 8-bit RGB images (libImaging/Resample.c and the nearest
 * path of Geometry.c), so resized pixels are bit-identical to Python's `SiglipImageProcessorPil`.
 * Every rounding step mirrors the C code: double-precision filter weights, 22-bit fixed-point
 * coefficients, truncating casts, and a separable horizontal-then-vertical pass.
 */
import { SiglipError } from '../../errors.js';
import { materializeRgb, orientedLayout, orientedRgbRows, orientedSize, rgbSource, type OrientedLayout, type PixelSource } from './pixel-source.js';
import type { RgbImage } from './rgb-image.js';

/** Pillow's `Image.Resampling` codes, which are what `preprocessor_config.json` stores in `resample`. */
export const PilResample = {
  NEAREST: 0,
  LANCZOS: 1,
  BILINEAR: 2,
  BICUBIC: 3,
  BOX: 4,
  HAMMING: 5,
} as const;
export type PilResampleFilter = (typeof PilResample)[keyof typeof PilResample];

interface Filter {
  readonly weight: (x: number) => number;
  readonly support: number;
}

// Pillow writes these literals as C floats (0.54f, 0.46f) inside double arithmetic.
const HAMMING_A = Math.fround(0.54);
const HAMMING_B = Math.fround(0.46);

function boxWeight(x: number): number {
  return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
}

function bilinearWeight(x: number): number {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

function hammingWeight(x: number): number {
  if (x < 0.0) x = -x;
  if (x === 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  x = x * Math.PI;
  return (Math.sin(x) / x) * (HAMMING_A + HAMMING_B * Math.cos(x));
}

function bicubicWeight(x: number): number {
  const a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

function sinc(x: number): number {
  if (x === 0.0) return 1.0;
  x = x * Math.PI;
  return Math.sin(x) / x;
}

function lanczosWeight(x: number): number {
  return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
}

const FILTERS: Record<Exclude<PilResampleFilter, 0>, Filter> = {
  [PilResample.BOX]: { weight: boxWeight, support: 0.5 },
  [PilResample.BILINEAR]: { weight: bilinearWeight, support: 1.0 },
  [PilResample.HAMMING]: { weight: hammingWeight, support: 1.0 },
  [PilResample.BICUBIC]: { weight: bicubicWeight, support: 2.0 },
  [PilResample.LANCZOS]: { weight: lanczosWeight, support: 3.0 },
};

/** 32 bits minus 8 for the result and 2 for the overflow of negative lobes, as in Pillow. */
export const PRECISION_BITS = 22;
const FIXED_ONE = 1 << PRECISION_BITS;
const ROUNDING_BIAS = 1 << (PRECISION_BITS - 1);

/** Per output pixel: the first input index, how many inputs it reads, and their weights. */
export interface ResampleCoefficients {
  /** Maximum taps per output pixel; row `i` of `weights` starts at `i * ksize`. */
  readonly ksize: number;
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** Normalized double weights (sum to 1 per output pixel). */
  readonly weights: Float64Array;
}

/** Pillow's `precompute_coeffs` for the box [0, inSize) mapped onto `outSize` pixels. */
export function precomputeCoefficients(inSize: number, outSize: number, filter: Exclude<PilResampleFilter, 0>): ResampleCoefficients {
  const { weight, support: baseSupport } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterScale = scale < 1.0 ? 1.0 : scale;
  const support = baseSupport * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  const ss = 1.0 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C casts to int, which truncates toward zero; the clamp makes the sign irrelevant.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    const base = xx * ksize;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      const w = weight((x + xmin - center + 0.5) * ss);
      weights[base + x] = w;
      ww += w;
    }
    if (ww !== 0.0) {
      for (let x = 0; x < xmax; x++) weights[base + x] /= ww;
    }
    first[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, first, count, weights };
}

/** Pillow's `normalize_coeffs_8bpc`: fixed point, rounding half away from zero by truncation. */
export function toFixedPoint(weights: Float64Array): Int32Array {
  const out = new Int32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    out[i] = w < 0 ? Math.trunc(-0.5 + w * FIXED_ONE) : Math.trunc(0.5 + w * FIXED_ONE);
  }
  return out;
}

/**
 * Horizontal pass over rows [rowFirst, rowFirst + rows) of the oriented image `src`, straight from
 * its RGB/RGBA bytes. Sums are int32 as in C (`Math.imul`, `| 0`; Pillow's 22-bit coefficients keep
 * every partial sum of 8-bit samples inside int32, so the order of additions cannot matter), and
 * the `>> PRECISION_BITS` result is clipped to 0..255 by a Uint8ClampedArray store, exactly clip8.
 */
function resampleHorizontal(src: PixelSource, outWidth: number, rowFirst: number, rows: number, c: ResampleCoefficients): Uint8Array {
  const kk = toFixedPoint(c.weights);
  const buffer = new ArrayBuffer(outWidth * rows * 3);
  const layout = orientedLayout(src);
  const data = src.data;
  const aligned = src.channels === 4 && data.byteOffset % 4 === 0 && layout.origin % 4 === 0 && layout.dx % 4 === 0 && layout.dy % 4 === 0;
  if (Math.abs(layout.dx) > src.channels) {
    horizontalColumns(src, layout, rowFirst, rows, outWidth, c, kk, new Uint8ClampedArray(buffer), aligned);
  } else if (aligned) {
    horizontalRowsRgba(new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2), layout, rowFirst, rows, outWidth, c, kk, new Uint8ClampedArray(buffer));
  } else {
    horizontalRowsBytes(data, layout, rowFirst, rows, outWidth, c, kk, new Uint8ClampedArray(buffer));
  }
  return new Uint8Array(buffer);
}

/** RGBA read as one little-endian uint32 per pixel (typed arrays use the platform's order, little-endian everywhere browsers run). */
function horizontalRowsRgba(px: Uint32Array, layout: OrientedLayout, rowFirst: number, rows: number, outWidth: number, c: ResampleCoefficients, kk: Int32Array, out: Uint8ClampedArray): void {
  const dx = layout.dx >> 2;
  const dy = layout.dy >> 2;
  const origin = layout.origin >> 2;
  const first = c.first;
  const count = c.count;
  const ksize = c.ksize;
  let o = 0;
  for (let yy = 0; yy < rows; yy++) {
    const rowBase = origin + (yy + rowFirst) * dy;
    for (let xx = 0; xx < outWidth; xx++) {
      let k = xx * ksize;
      const kEnd = k + count[xx];
      let p = rowBase + first[xx] * dx;
      let s0 = ROUNDING_BIAS;
      let s1 = ROUNDING_BIAS;
      let s2 = ROUNDING_BIAS;
      for (; k < kEnd; k++, p += dx) {
        const v = px[p];
        const w = kk[k];
        s0 = (s0 + Math.imul(v & 0xff, w)) | 0;
        s1 = (s1 + Math.imul((v >>> 8) & 0xff, w)) | 0;
        s2 = (s2 + Math.imul((v >>> 16) & 0xff, w)) | 0;
      }
      out[o] = s0 >> PRECISION_BITS;
      out[o + 1] = s1 >> PRECISION_BITS;
      out[o + 2] = s2 >> PRECISION_BITS;
      o += 3;
    }
  }
}

function horizontalRowsBytes(data: Uint8Array | Uint8ClampedArray, layout: OrientedLayout, rowFirst: number, rows: number, outWidth: number, c: ResampleCoefficients, kk: Int32Array, out: Uint8ClampedArray): void {
  const { dx, dy, origin } = layout;
  const first = c.first;
  const count = c.count;
  const ksize = c.ksize;
  let o = 0;
  for (let yy = 0; yy < rows; yy++) {
    const rowBase = origin + (yy + rowFirst) * dy;
    for (let xx = 0; xx < outWidth; xx++) {
      let k = xx * ksize;
      const kEnd = k + count[xx];
      let p = rowBase + first[xx] * dx;
      let s0 = ROUNDING_BIAS;
      let s1 = ROUNDING_BIAS;
      let s2 = ROUNDING_BIAS;
      for (; k < kEnd; k++, p += dx) {
        const w = kk[k];
        s0 = (s0 + Math.imul(data[p], w)) | 0;
        s1 = (s1 + Math.imul(data[p + 1], w)) | 0;
        s2 = (s2 + Math.imul(data[p + 2], w)) | 0;
      }
      out[o] = s0 >> PRECISION_BITS;
      out[o + 1] = s1 >> PRECISION_BITS;
      out[o + 2] = s2 >> PRECISION_BITS;
      o += 3;
    }
  }
}

/**
 * Orientations 5..8: a row of the oriented image is a column of the source. Strips of STRIP
 * oriented rows are gathered into a small row-major buffer (each source row contributes STRIP
 * neighbouring pixels, one or two cache lines) and resampled there; same pixels, same sums.
 */
const STRIP = 16;

function horizontalColumns(src: PixelSource, layout: OrientedLayout, rowFirst: number, rows: number, outWidth: number, c: ResampleCoefficients, kk: Int32Array, out: Uint8ClampedArray, aligned: boolean): void {
  const { width, dx, dy, origin } = layout;
  const outStride = outWidth * 3;
  const data = src.data;
  if (aligned) {
    const px = new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
    const pdx = dx >> 2;
    const pdy = dy >> 2;
    const strip = new Uint32Array(STRIP * width);
    const stripLayout: OrientedLayout = { width, height: STRIP, origin: 0, dx: 4, dy: width * 4 };
    for (let y0 = 0; y0 < rows; y0 += STRIP) {
      const n = Math.min(STRIP, rows - y0);
      let p = (origin >> 2) + (rowFirst + y0) * pdy;
      for (let x = 0; x < width; x++, p += pdx) {
        let q = p;
        for (let j = 0, o = x; j < n; j++, q += pdy, o += width) strip[o] = px[q];
      }
      horizontalRowsRgba(strip, stripLayout, 0, n, outWidth, c, kk, out.subarray(y0 * outStride));
    }
    return;
  }
  const strip = new Uint8Array(STRIP * width * 3);
  const stripLayout: OrientedLayout = { width, height: STRIP, origin: 0, dx: 3, dy: width * 3 };
  const rowBytes = width * 3;
  for (let y0 = 0; y0 < rows; y0 += STRIP) {
    const n = Math.min(STRIP, rows - y0);
    let p = origin + (rowFirst + y0) * dy;
    for (let x = 0; x < width; x++, p += dx) {
      let q = p;
      for (let j = 0, o = x * 3; j < n; j++, q += dy, o += rowBytes) {
        strip[o] = data[q];
        strip[o + 1] = data[q + 1];
        strip[o + 2] = data[q + 2];
      }
    }
    horizontalRowsBytes(strip, stripLayout, 0, n, outWidth, c, kk, out.subarray(y0 * outStride));
  }
}

/** Vertical pass over packed RGB rows; `c.first` is relative to the rows present in `src`. */
function resampleVertical(src: RgbImage, outHeight: number, c: ResampleCoefficients, firstShift: number): Uint8Array {
  const kk = toFixedPoint(c.weights);
  const stride = src.width * 3;
  const inData = src.data;
  const buffer = new ArrayBuffer(stride * outHeight);
  const out = new Uint8ClampedArray(buffer);
  const first = c.first;
  const count = c.count;
  const ksize = c.ksize;
  for (let yy = 0; yy < outHeight; yy++) {
    const start = (first[yy] - firstShift) * stride;
    const kStart = yy * ksize;
    const kEnd = kStart + count[yy];
    let o = yy * stride;
    // One channel value at a time: all three channels use the same weights and the same column walk.
    for (let x = 0; x < stride; x++, o++) {
      let s = ROUNDING_BIAS;
      let p = start + x;
      for (let k = kStart; k < kEnd; k++, p += stride) s = (s + Math.imul(inData[p], kk[k])) | 0;
      out[o] = s >> PRECISION_BITS;
    }
  }
  return new Uint8Array(buffer);
}

/** C's `COORD`: negative coordinates are out of range, others truncate. */
function coord(v: number): number {
  return v < 0.0 ? -1 : Math.trunc(v);
}

/**
 * Pillow resizes with NEAREST through an affine transform (`ImagingScaleAffine`), not through
 * Resample.c. The source position is accumulated by repeated addition, exactly as there, so the
 * rare off-by-one picks at exact .5 boundaries match too.
 */
function resizeNearest(src: RgbImage, width: number, height: number): RgbImage {
  const a0 = src.width / width;
  const a4 = src.height / height;
  const xintab = new Int32Array(width);
  let xmin = width;
  let xmax = 0;
  let xo = a0 * 0.5;
  for (let x = 0; x < width; x++) {
    const xin = coord(xo);
    if (xin >= 0 && xin < src.width) {
      xmax = x + 1;
      if (x < xmin) xmin = x;
      xintab[x] = xin;
    }
    xo += a0;
  }
  // Pillow zero-fills pixels whose source falls outside the image; ours start at zero.
  const out = new Uint8Array(width * height * 3);
  let yo = a4 * 0.5;
  for (let y = 0; y < height; y++) {
    const yi = coord(yo);
    if (yi >= 0 && yi < src.height) {
      const inRow = yi * src.width * 3;
      const outRow = y * width * 3;
      for (let x = xmin; x < xmax; x++) {
        const p = inRow + xintab[x] * 3;
        const o = outRow + x * 3;
        out[o] = src.data[p];
        out[o + 1] = src.data[p + 1];
        out[o + 2] = src.data[p + 2];
      }
    }
    yo += a4;
  }
  return { data: out, width, height };
}

export function isPilResampleFilter(value: unknown): value is PilResampleFilter {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 5;
}

/**
 * `PIL.Image.resize((width, height), resample)` for an RGB image. Same size returns a copy, as
 * Pillow does, whatever the filter.
 */
export function resizeRgb8(src: RgbImage, width: number, height: number, resample: PilResampleFilter = PilResample.BICUBIC): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new SiglipError('INVALID_INPUT', `resize target must be positive integers, got ${width}x${height}`);
  }
  if (!Number.isInteger(src.width) || !Number.isInteger(src.height) || src.width <= 0 || src.height <= 0) {
    throw new SiglipError('INVALID_INPUT', `cannot resize an image of size ${src.width}x${src.height}`);
  }
  if (src.data.length < src.width * src.height * 3) {
    throw new SiglipError('INVALID_INPUT', `RGB buffer holds ${src.data.length} bytes, expected ${src.width * src.height * 3} for ${src.width}x${src.height}`);
  }
  if (!isPilResampleFilter(resample)) {
    throw new SiglipError('INVALID_INPUT', `unsupported resample filter ${String(resample)} (expected 0..5)`);
  }
  if (width === src.width && height === src.height) {
    return { data: src.data.slice(0, width * height * 3), width, height };
  }
  if (resample === PilResample.NEAREST) return resizeNearest(src, width, height);

  return resizeSeparable(rgbSource(src), width, height, resample);
}

/** Pillow's Resample.c path: horizontal pass over the rows the vertical pass needs, then vertical. */
function resizeSeparable(src: PixelSource, width: number, height: number, resample: Exclude<PilResampleFilter, 0>, timings?: Record<string, number>): RgbImage {
  const inSize = orientedSize(src);
  const needHorizontal = width !== inSize.width;
  const needVertical = height !== inSize.height;
  const vertical = precomputeCoefficients(inSize.height, height, resample);
  // Rows the vertical pass will read; the horizontal pass only computes these.
  const firstRow = needVertical ? vertical.first[0] : 0;
  const rows = needVertical ? vertical.first[height - 1] + vertical.count[height - 1] - firstRow : height;
  let t0 = timings ? performance.now() : 0;
  let current: RgbImage;
  if (needHorizontal) {
    const horizontal = precomputeCoefficients(inSize.width, width, resample);
    current = { data: resampleHorizontal(src, width, firstRow, rows, horizontal), width, height: rows };
  } else {
    current = { data: orientedRgbRows(src, firstRow, rows), width, height: rows };
  }
  if (timings) {
    const t1 = performance.now();
    timings['horizontal resample'] = t1 - t0;
    t0 = t1;
  }
  if (needVertical) {
    current = { data: resampleVertical(current, height, vertical, firstRow), width: current.width, height };
  }
  if (timings) timings['vertical resample'] = performance.now() - t0;
  return current;
}

/**
 * `exif_transpose(image).convert("RGB").resize((width, height), resample)` read straight from the
 * decoded RGB or RGBA bytes (see pixel-source.ts): bit-identical to materialising the RGB and
 * transposed copies first, without making them. `timings`, when given, receives the pass durations in ms.
 */
export function resizePixelSource(src: PixelSource, width: number, height: number, resample: PilResampleFilter = PilResample.BICUBIC, timings?: Record<string, number>): RgbImage {
  const size = orientedSize(src);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new SiglipError('INVALID_INPUT', `resize target must be positive integers, got ${width}x${height}`);
  }
  if (!Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width <= 0 || size.height <= 0) {
    throw new SiglipError('INVALID_INPUT', `cannot resize an image of size ${size.width}x${size.height}`);
  }
  if (src.data.length < src.width * src.height * src.channels) {
    throw new SiglipError('INVALID_INPUT', `pixel buffer holds ${src.data.length} bytes, expected ${src.width * src.height * src.channels} for ${src.width}x${src.height}x${src.channels}`);
  }
  if (!isPilResampleFilter(resample)) {
    throw new SiglipError('INVALID_INPUT', `unsupported resample filter ${String(resample)} (expected 0..5)`);
  }
  if (resample === PilResample.NEAREST || (width === size.width && height === size.height)) {
    return resizeRgb8(materializeRgb(src), width, height, resample);
  }
  return resizeSeparable(src, width, height, resample, timings);
}
