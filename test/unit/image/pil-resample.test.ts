import { describe, expect, it } from 'vitest';
import { SiglipError } from '../../../src/errors';
import { PilResample, precomputeCoefficients, resizeRgb8, toFixedPoint, type PilResampleFilter } from '../../../src/processors/image/pil-resample';
import type { RgbImage } from '../../../src/processors/image/rgb-image';

function row(values: number[][]): RgbImage {
  return { data: Uint8Array.from(values.flat()), width: values.length, height: 1 };
}

function column(values: number[][]): RgbImage {
  return { data: Uint8Array.from(values.flat()), width: 1, height: values.length };
}

function pseudoRandomImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width, height };
}

describe('precomputeCoefficients (hand-computed)', () => {
  it('bicubic 2 -> 4 upscale: first output pixel', () => {
    // center 0.25, support 2 -> inputs [0, 2); taps at distances 0.25 and 1.25:
    // w(0.25) = (1.5*0.25 - 2.5)*0.25^2 + 1 = 0.8671875
    // w(1.25) = (((1.25-5)*1.25 + 8)*1.25 - 4) * -0.5 = -0.0703125, normalized by their sum 0.796875.
    const c = precomputeCoefficients(2, 4, PilResample.BICUBIC);
    expect(c.ksize).toBe(5);
    expect(c.first[0]).toBe(0);
    expect(c.count[0]).toBe(2);
    expect(c.weights[0]).toBeCloseTo(0.8671875 / 0.796875, 15);
    expect(c.weights[1]).toBeCloseTo(-0.0703125 / 0.796875, 15);
    // trunc(0.5 + 1.08823529... * 2^22) and trunc(-0.5 - 0.0882352941... * 2^22)
    const fixed = toFixedPoint(c.weights);
    expect(fixed[0]).toBe(4564390);
    expect(fixed[1]).toBe(-370086);
  });

  it('bilinear 2 -> 1 downscale spreads the support by the scale', () => {
    // scale 2: support 2, center 1; taps at (0-1+0.5)/2 = -0.25 and 0.25 -> weight 0.75 each -> 0.5/0.5.
    const c = precomputeCoefficients(2, 1, PilResample.BILINEAR);
    expect(c.first[0]).toBe(0);
    expect(c.count[0]).toBe(2);
    expect(Array.from(c.weights.subarray(0, 2))).toEqual([0.5, 0.5]);
  });

  it('bounds are clipped to the input', () => {
    const c = precomputeCoefficients(10, 3, PilResample.LANCZOS);
    for (let i = 0; i < 3; i++) {
      expect(c.first[i]).toBeGreaterThanOrEqual(0);
      expect(c.first[i] + c.count[i]).toBeLessThanOrEqual(10);
      const sum = Array.from(c.weights.subarray(i * c.ksize, i * c.ksize + c.count[i])).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 12);
    }
  });
});

describe('resizeRgb8 (hand-computed)', () => {
  it('bilinear 2 -> 1 rounds the half up via the 1<<21 bias', () => {
    // (10 + 21) / 2 = 15.5 -> 16 ; (10 + 20) / 2 = 15 ; (0 + 255)/2 = 127.5 -> 128
    const out = resizeRgb8(row([[10, 10, 0], [21, 20, 255]]), 1, 1, PilResample.BILINEAR);
    expect(Array.from(out.data)).toEqual([16, 15, 128]);
  });

  it('bicubic 2 -> 4 uses fixed-point weights and clips overshoot', () => {
    // Output pixel 0 = (v0*4564390 + v1*-370086 + 2^21) >> 22:
    //   (100,200) -> 384518952 >> 22 = 91 ; (255,0) -> 277.5.. -> clipped 255 ; (0,255) -> negative -> 0
    const out = resizeRgb8(row([[100, 255, 0], [200, 0, 255]]), 4, 1, PilResample.BICUBIC);
    expect(Array.from(out.data.subarray(0, 3))).toEqual([91, 255, 0]);
    // Mirror symmetry: the last output pixel uses the same weights on the reversed inputs.
    expect(Array.from(out.data.subarray(9, 12))).toEqual([
      (200 * 4564390 + 100 * -370086 + (1 << 21)) >> 22,
      0,
      255,
    ]);
  });

  it('vertical pass behaves like the horizontal one', () => {
    const out = resizeRgb8(column([[100, 255, 0], [200, 0, 255]]), 1, 4, PilResample.BICUBIC);
    expect(out.width).toBe(1);
    expect(out.height).toBe(4);
    expect(Array.from(out.data.subarray(0, 3))).toEqual([91, 255, 0]);
  });

  it('nearest 4 -> 2 samples the centres (source x = 1, 3), as ImagingScaleAffine does', () => {
    const out = resizeRgb8(row([[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]]), 2, 1, PilResample.NEAREST);
    expect(Array.from(out.data)).toEqual([1, 1, 1, 3, 3, 3]);
  });

  it('nearest 2 -> 5 upscale repeats pixels by truncating 0.2, 0.6, 1.0, 1.4, 1.8', () => {
    const out = resizeRgb8(row([[10, 0, 0], [20, 0, 0]]), 5, 1, PilResample.NEAREST);
    expect(Array.from(out.data).filter((_, i) => i % 3 === 0)).toEqual([10, 10, 20, 20, 20]);
  });

  it('box 4 -> 2 averages pairs', () => {
    const out = resizeRgb8(row([[0, 9, 100], [2, 10, 200], [4, 11, 0], [8, 12, 1]]), 2, 1, PilResample.BOX);
    expect(Array.from(out.data)).toEqual([1, 10, 150, 6, 12, 1]);
  });
});

describe('resizeRgb8 properties', () => {
  const filters: PilResampleFilter[] = [0, 1, 2, 3, 4, 5];

  it('same size is an exact copy in a new buffer (224 -> 224)', () => {
    const src = pseudoRandomImage(224, 224, 7);
    for (const f of filters) {
      const out = resizeRgb8(src, 224, 224, f);
      expect(out.data === src.data).toBe(false);
      // Buffer.equals: a fast exact byte comparison (vitest's deep equality is slow on 150 kB).
      expect(Buffer.from(out.data).equals(Buffer.from(src.data))).toBe(true);
    }
  });

  it('a constant image stays constant for every filter and size', () => {
    const src: RgbImage = { data: new Uint8Array(37 * 23 * 3).fill(0).map((_, i) => [13, 128, 250][i % 3]), width: 37, height: 23 };
    for (const f of filters) {
      for (const [w, h] of [[224, 224], [5, 3], [37, 50], [80, 23]] as const) {
        const out = resizeRgb8(src, w, h, f);
        expect(out.data.length).toBe(w * h * 3);
        for (let i = 0; i < out.data.length; i++) if (out.data[i] !== [13, 128, 250][i % 3]) throw new Error(`filter ${f} ${w}x${h}: byte ${i} = ${out.data[i]}`);
      }
    }
  });

  it('resizing only the width equals resizing each row on its own', () => {
    const src = pseudoRandomImage(31, 6, 3);
    const whole = resizeRgb8(src, 11, 6, PilResample.BICUBIC);
    for (let y = 0; y < 6; y++) {
      const oneRow = { data: src.data.slice(y * 31 * 3, (y + 1) * 31 * 3), width: 31, height: 1 };
      expect(resizeRgb8(oneRow, 11, 1, PilResample.BICUBIC).data).toEqual(whole.data.slice(y * 11 * 3, (y + 1) * 11 * 3));
    }
  });

  it('rejects bad sizes and filters with SiglipError INVALID_INPUT', () => {
    const src = pseudoRandomImage(4, 4, 1);
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return e instanceof SiglipError ? e.code : 'not-a-SiglipError';
      }
      return undefined;
    };
    expect(codeOf(() => resizeRgb8(src, 0, 4))).toBe('INVALID_INPUT');
    expect(codeOf(() => resizeRgb8({ data: new Uint8Array(0), width: 0, height: 0 }, 4, 4))).toBe('INVALID_INPUT');
    expect(codeOf(() => resizeRgb8({ data: new Uint8Array(3), width: 2, height: 2 }, 4, 4))).toBe('INVALID_INPUT');
    expect(codeOf(() => resizeRgb8(src, 2, 2, 6 as PilResampleFilter))).toBe('INVALID_INPUT');
  });
});
