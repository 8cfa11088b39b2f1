/**
 * The fused path (resizePixelSource reading RGBA/RGB bytes with a pending EXIF orientation) must be
 * bit-identical to the step-by-step path it replaced: RGBA -> RGB copy, Pillow transpose copy,
 * then the separable resize. The reference below is the pre-fusion code, kept verbatim in spirit.
 */
import { describe, expect, it } from 'vitest';
import { applyExifOrientation } from '../../../src/processors/image/exif-orientation';
import { PilResample, precomputeCoefficients, resizePixelSource, resizeRgb8, toFixedPoint, type PilResampleFilter } from '../../../src/processors/image/pil-resample';
import { materializeRgb, orientedSize, type PixelSource } from '../../../src/processors/image/pixel-source';
import type { RgbImage } from '../../../src/processors/image/rgb-image';
import { SiglipImageProcessor } from '../../../src/processors/image/image-processor';

function random(n: number, seed: number): Uint8Array {
  const data = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

function oldRgbaToRgb(rgba: Uint8Array, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    out[i * 3] = rgba[i * 4];
    out[i * 3 + 1] = rgba[i * 4 + 1];
    out[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return { data: out, width, height };
}

function clip8(a: number): number {
  const v = a >> 22;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** The pre-fusion Resample.c port (double accumulators, separate passes), as the reference. */
function oldResize(src: RgbImage, width: number, height: number, filter: Exclude<PilResampleFilter, 0>): RgbImage {
  if (width === src.width && height === src.height) return { data: src.data.slice(), width, height };
  const vertical = precomputeCoefficients(src.height, height, filter);
  const firstRow = vertical.first[0];
  const lastRow = vertical.first[height - 1] + vertical.count[height - 1];
  let cur = src;
  let shift = 0;
  if (width !== src.width) {
    const c = precomputeCoefficients(src.width, width, filter);
    const kk = toFixedPoint(c.weights);
    const rows = lastRow - firstRow;
    const out = new Uint8Array(width * rows * 3);
    for (let yy = 0; yy < rows; yy++) {
      for (let xx = 0; xx < width; xx++) {
        const s = [1 << 21, 1 << 21, 1 << 21];
        for (let x = 0; x < c.count[xx]; x++) {
          const p = ((yy + firstRow) * src.width + c.first[xx] + x) * 3;
          for (let ch = 0; ch < 3; ch++) s[ch] += src.data[p + ch] * kk[xx * c.ksize + x];
        }
        for (let ch = 0; ch < 3; ch++) out[(yy * width + xx) * 3 + ch] = clip8(s[ch]);
      }
    }
    cur = { data: out, width, height: rows };
    shift = firstRow;
  }
  if (height !== src.height) {
    const kk = toFixedPoint(vertical.weights);
    const out = new Uint8Array(cur.width * height * 3);
    for (let yy = 0; yy < height; yy++) {
      for (let xx = 0; xx < cur.width; xx++) {
        const s = [1 << 21, 1 << 21, 1 << 21];
        for (let y = 0; y < vertical.count[yy]; y++) {
          const p = ((vertical.first[yy] - shift + y) * cur.width + xx) * 3;
          for (let ch = 0; ch < 3; ch++) s[ch] += cur.data[p + ch] * kk[yy * vertical.ksize + y];
        }
        for (let ch = 0; ch < 3; ch++) out[(yy * cur.width + xx) * 3 + ch] = clip8(s[ch]);
      }
    }
    cur = { data: out, width: cur.width, height };
  }
  return cur;
}

const SIZES: [number, number][] = [
  [37, 23],
  [64, 48],
  [101, 67],
  [20, 90],
  [224, 224],
  [5, 300],
];
const TARGETS: [number, number][] = [
  [16, 16],
  [224, 224],
  [12, 30],
];
const FILTERS = [PilResample.BICUBIC, PilResample.BILINEAR, PilResample.LANCZOS, PilResample.BOX, PilResample.HAMMING, PilResample.NEAREST] as const;

describe('resizePixelSource: fused RGBA/RGB + EXIF orientation = step-by-step path', () => {
  for (const [w, h] of SIZES) {
    for (const channels of [3, 4] as const) {
      it(`${w}x${h}, ${channels} channels, orientations 1..8, targets ${TARGETS.map((t) => t.join('x')).join(' ')}`, () => {
        const data = random(w * h * channels, w * 1000 + h + channels);
        const rgb = channels === 4 ? oldRgbaToRgb(data, w, h) : { data, width: w, height: h };
        for (let orientation = 1; orientation <= 8; orientation++) {
          const rotated = applyExifOrientation(rgb, orientation);
          const src: PixelSource = { data, width: w, height: h, channels, orientation };
          expect(orientedSize(src)).toEqual({ width: rotated.width, height: rotated.height });
          expect(Buffer.from(materializeRgb(src).data).equals(Buffer.from(rotated.data))).toBe(true);
          for (const [tw, th] of [...TARGETS, [rotated.width, th0(rotated)], [tw0(rotated), rotated.height], [rotated.width, rotated.height]] as [number, number][]) {
            const expected = oldResize(rotated, tw, th, PilResample.BICUBIC);
            const got = resizePixelSource(src, tw, th, PilResample.BICUBIC);
            expect([got.width, got.height]).toEqual([tw, th]);
            if (!Buffer.from(got.data).equals(Buffer.from(expected.data))) {
              throw new Error(`mismatch: ${w}x${h}x${channels} o=${orientation} -> ${tw}x${th}`);
            }
          }
        }
      });
    }
  }

  it('every filter, RGBA with orientations 1..8, equals resizeRgb8 of the materialised image', () => {
    const w = 53;
    const h = 41;
    const data = random(w * h * 4, 7);
    const rgb = oldRgbaToRgb(data, w, h);
    for (let orientation = 1; orientation <= 8; orientation++) {
      const rotated = applyExifOrientation(rgb, orientation);
      for (const filter of FILTERS) {
        const got = resizePixelSource({ data, width: w, height: h, channels: 4, orientation }, 19, 27, filter);
        const expected = filter === PilResample.NEAREST ? resizeRgb8(rotated, 19, 27, filter) : oldResize(rotated, 19, 27, filter);
        expect(Buffer.from(got.data).equals(Buffer.from(expected.data))).toBe(true);
      }
    }
  });

  it('RGBA in a Uint8ClampedArray at an unaligned offset reads the same', () => {
    const w = 31;
    const h = 29;
    const backing = random(w * h * 4 + 1, 3);
    const data = new Uint8ClampedArray(backing.buffer, 1, w * h * 4);
    const rgb = oldRgbaToRgb(new Uint8Array(backing.buffer, 1, w * h * 4), w, h);
    for (let orientation = 1; orientation <= 8; orientation++) {
      const got = resizePixelSource({ data, width: w, height: h, channels: 4, orientation }, 9, 11);
      expect(Buffer.from(got.data).equals(Buffer.from(oldResize(applyExifOrientation(rgb, orientation), 9, 11, PilResample.BICUBIC).data))).toBe(true);
    }
  });

  it('processSource equals processPixels of the materialised image', () => {
    const processor = SiglipImageProcessor.fromConfig({ size: { height: 24, width: 20 } });
    const w = 70;
    const h = 45;
    const data = random(w * h * 4, 11);
    for (let orientation = 1; orientation <= 8; orientation++) {
      const src: PixelSource = { data, width: w, height: h, channels: 4, orientation };
      const fused = processor.processSource(src);
      const stepwise = processor.processPixels(applyExifOrientation(oldRgbaToRgb(data, w, h), orientation));
      expect(fused.dims).toEqual(stepwise.dims);
      expect(Buffer.from(fused.pixelValues.buffer).equals(Buffer.from(stepwise.pixelValues.buffer))).toBe(true);
      expect([fused.width, fused.height]).toEqual(orientation >= 5 ? [h, w] : [w, h]);
    }
  });
});

function th0(img: RgbImage): number {
  return Math.max(1, Math.floor(img.height / 3));
}
function tw0(img: RgbImage): number {
  return Math.max(1, Math.floor(img.width / 3));
}
