/**
 * uint8 RGB -> float32 CHW, reproducing transformers' numpy arithmetic bit for bit:
 *   rescale:   (u.astype(float64) * rescale_factor).astype(float32)
 *   normalize: (x - mean) / std, with mean/std cast to float32 and both ops in float32.
 * Doing the product in float32 instead flips the last bit for 111 of the 256 levels
 * (e.g. level 128 must give 0.003921628, not 0.00392157), so the order matters.
 */
import type { RgbImage } from './rgb-image.js';

export interface RescaleNormalizeOptions {
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  imageMean: readonly [number, number, number];
  imageStd: readonly [number, number, number];
}

/** One 256-entry table per channel: the float32 value each uint8 level maps to. */
export type ChannelLookupTables = readonly [Float32Array, Float32Array, Float32Array];

export function buildChannelLookupTables(opts: RescaleNormalizeOptions): ChannelLookupTables {
  const make = (channel: 0 | 1 | 2): Float32Array => {
    const table = new Float32Array(256);
    const mean = Math.fround(opts.imageMean[channel]);
    const std = Math.fround(opts.imageStd[channel]);
    for (let u = 0; u < 256; u++) {
      // Without rescaling numpy still converts to float32 before normalizing.
      let x = opts.doRescale ? Math.fround(u * opts.rescaleFactor) : u;
      if (opts.doNormalize) {
        // Each JS double op rounded once to float32 equals the float32 op (double is wide enough).
        x = Math.fround(Math.fround(x - mean) / std);
      }
      table[u] = x;
    }
    return table;
  };
  return [make(0), make(1), make(2)];
}

/**
 * Writes `image` (HWC uint8) as CHW float32 into `out` starting at `offset`, so a batch can be
 * filled in place without intermediate copies.
 */
export function writeNormalizedChw(image: RgbImage, tables: ChannelLookupTables, out: Float32Array, offset = 0): void {
  const plane = image.width * image.height;
  const [r, g, b] = tables;
  const src = image.data;
  const gOff = offset + plane;
  const bOff = offset + 2 * plane;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[offset + i] = r[src[p]];
    out[gOff + i] = g[src[p + 1]];
    out[bOff + i] = b[src[p + 2]];
  }
}

export function rgbToNormalizedChw(image: RgbImage, tables: ChannelLookupTables): Float32Array {
  const out = new Float32Array(3 * image.width * image.height);
  writeNormalizedChw(image, tables, out, 0);
  return out;
}
