/**
 * Port of Pillow's `Image.resize` for 8-bit RGB images (libImaging/Resample.c and the nearest
 * path of Geometry.c), so resized pixels are bit-identical to Python's `SiglipImageProcessorPil`.
 * Every rounding step mirrors the C code: double-precision filter weights, 22-bit fixed-point
 * coefficients, truncating casts, and a separable horizontal-then-vertical pass.
 */
import { SiglipError } from '../../errors.js';
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

function clip8(accumulator: number): number {
  // Arithmetic shift like C's `in >> PRECISION_BITS`; the accumulator always fits in int32.
  const v = accumulator >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Horizontal pass over input rows [rowOffset, rowOffset + outHeight). */
function resampleHorizontal(src: RgbImage, outWidth: number, rowOffset: number, outHeight: number, c: ResampleCoefficients): Uint8Array {
  const kk = toFixedPoint(c.weights);
  const out = new Uint8Array(outWidth * outHeight * 3);
  const inData = src.data;
  const inStride = src.width * 3;
  for (let yy = 0; yy < outHeight; yy++) {
    const rowStart = (yy + rowOffset) * inStride;
    let o = yy * outWidth * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      const xmin = c.first[xx];
      const n = c.count[xx];
      const kBase = xx * c.ksize;
      let s0 = ROUNDING_BIAS;
      let s1 = ROUNDING_BIAS;
      let s2 = ROUNDING_BIAS;
      let p = rowStart + xmin * 3;
      for (let x = 0; x < n; x++, p += 3) {
        const k = kk[kBase + x];
        s0 += inData[p] * k;
        s1 += inData[p + 1] * k;
        s2 += inData[p + 2] * k;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
    }
  }
  return out;
}

/** Vertical pass; `c.first` is relative to the rows present in `src`. */
function resampleVertical(src: RgbImage, outHeight: number, c: ResampleCoefficients, firstShift: number): Uint8Array {
  const kk = toFixedPoint(c.weights);
  const width = src.width;
  const stride = width * 3;
  const inData = src.data;
  const out = new Uint8Array(stride * outHeight);
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = c.first[yy] - firstShift;
    const n = c.count[yy];
    const kBase = yy * c.ksize;
    let o = yy * stride;
    for (let xx = 0; xx < width; xx++) {
      let s0 = ROUNDING_BIAS;
      let s1 = ROUNDING_BIAS;
      let s2 = ROUNDING_BIAS;
      let p = ymin * stride + xx * 3;
      for (let y = 0; y < n; y++, p += stride) {
        const k = kk[kBase + y];
        s0 += inData[p] * k;
        s1 += inData[p + 1] * k;
        s2 += inData[p + 2] * k;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
    }
  }
  return out;
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

  const needHorizontal = width !== src.width;
  const needVertical = height !== src.height;
  const vertical = precomputeCoefficients(src.height, height, resample);
  // Rows the vertical pass will read; the horizontal pass only computes these.
  const firstRow = vertical.first[0];
  const lastRow = vertical.first[height - 1] + vertical.count[height - 1];

  let current = src;
  let rowShift = 0;
  if (needHorizontal) {
    const horizontal = precomputeCoefficients(src.width, width, resample);
    const rows = lastRow - firstRow;
    current = { data: resampleHorizontal(src, width, firstRow, rows, horizontal), width, height: rows };
    rowShift = firstRow;
  }
  if (needVertical) {
    current = { data: resampleVertical(current, height, vertical, rowShift), width: current.width, height };
  }
  return current;
}
