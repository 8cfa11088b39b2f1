/**
 * End-to-end parity with Python transformers 5.18 SiglipImageProcessorPil, using only the
 * reference files written by Python. PNGs go through our decoder; JPEGs need a libjpeg-turbo
 * decoder, which Node lacks, so they use sharp (a transitive dependency) when it is installed
 * and its decode is first proven identical to PIL's via the reference sha256.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyExifOrientation, readJpegOrientation } from '../../../src/processors/image/exif-orientation';
import { SiglipImageProcessor } from '../../../src/processors/image/image-processor';
import { decodePng } from '../../../src/processors/image/png-decode';
import type { RgbImage } from '../../../src/processors/image/rgb-image';
import { diffStats, fixtureBytes, fixtureFloat32, fixtureJson } from './helpers';

interface PixelValuesIndex {
  images: Record<string, { loaded_rgb_size: [number, number]; loaded_rgb_sha256: string; pil: { file: string; shape: number[] } }>;
}
interface Family384 {
  pil_float32_value_of_uint8: number[];
  pixel_values: { image: string; file: string; u8_shape: [number, number, number]; shape: number[]; loaded_size: [number, number] }[];
}
interface FamilyCls {
  pil_float32_value_of_uint8: number[];
  cases: { image: string; pixel_values: string; pixel_values_shape: number[] }[];
}

const index = fixtureJson<PixelValuesIndex>('reference', 'pixel_values.json');
const ref384 = fixtureJson<Family384>('family', 'reference-384', 'embeddings.json');
const refCls = fixtureJson<FamilyCls>('family', 'reference-cls', 'classification.json');
const processor224 = SiglipImageProcessor.fromConfig(fixtureJson<object>('siglip-shapes', 'preprocessor_config.json'));
const processor384 = SiglipImageProcessor.fromConfig(fixtureJson<object>('family', 'siglip-384-random', 'preprocessor_config.json'));

type SharpFactory = (input: Uint8Array) => {
  removeAlpha(): { raw(): { toBuffer(o: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }> } };
};
const sharp: SharpFactory | null = await import('sharp').then((m: { default: SharpFactory }) => m.default).catch(() => null);

/** PIL-equivalent load_image for JPEG via sharp (no auto-rotation) + our EXIF transpose. */
async function loadJpegWithSharp(bytes: Uint8Array): Promise<RgbImage> {
  if (!sharp) throw new Error('sharp unavailable');
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  return applyExifOrientation(image, readJpegOrientation(bytes));
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function report(name: string, s: { maxAbs: number; meanAbs: number; mismatches: number }): void {
  console.log(`[pil-parity] ${name}: max|Δ|=${s.maxAbs} mean|Δ|=${s.meanAbs} mismatched=${s.mismatches}`);
}

/** uint8 CHW levels of an RGB image after the processor's resize. */
function chwLevels(image: RgbImage): Uint8Array {
  const plane = image.width * image.height;
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = image.data[3 * i + c];
  return out;
}

const pngNames = Object.keys(index.images).filter((n) => n.endsWith('.png'));
const jpegNames = Object.keys(index.images).filter((n) => n.endsWith('.jpg'));

describe('PNG reference images, 224 (siglip-shapes)', () => {
  it('covers every PNG in the reference index', () => {
    expect(pngNames.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of pngNames) {
    const info = index.images[name];
    it(`${name}: decoded RGB matches PIL load_image (sha256)`, async () => {
      const rgb = await decodePng(fixtureBytes('reference', 'images', name));
      expect([rgb.width, rgb.height]).toEqual(info.loaded_rgb_size);
      expect(sha256(rgb.data)).toBe(info.loaded_rgb_sha256);
    });

    it(`${name}: pixel_values are bit-identical`, async () => {
      const { pixelValues, dims } = await processor224.process(fixtureBytes('reference', 'images', name));
      expect(dims).toEqual(info.pil.shape);
      const stats = diffStats(pixelValues, fixtureFloat32('reference', info.pil.file));
      report(name, stats);
      expect(stats.mismatches).toBe(0);
    });
  }
});

describe.skipIf(!sharp)('JPEG reference images via sharp decode, 224', () => {
  for (const name of jpegNames) {
    const info = index.images[name];
    it(`${name}: sharp+exif decode equals PIL, then pixel_values are bit-identical`, async () => {
      const rgb = await loadJpegWithSharp(fixtureBytes('reference', 'images', name));
      // Guard: only a decode proven identical to PIL's says anything about our resize path.
      expect(sha256(rgb.data)).toBe(info.loaded_rgb_sha256);
      const { pixelValues } = processor224.processPixels(rgb);
      const stats = diffStats(pixelValues, fixtureFloat32('reference', info.pil.file));
      report(name, stats);
      expect(stats.mismatches).toBe(0);
    });
  }
});

describe('family/reference-384 (384x384 resize)', () => {
  const table = Float32Array.from(ref384.pil_float32_value_of_uint8);
  for (const entry of ref384.pixel_values) {
    const name = entry.image.split('/').pop() ?? entry.image;
    const isPng = name.endsWith('.png');
    it.skipIf(!isPng && !sharp)(`${name}: uint8 levels and float32 values match`, async () => {
      const bytes = fixtureBytes('family', 'reference-384', entry.image);
      const rgb = isPng ? await decodePng(bytes) : await loadJpegWithSharp(bytes);
      expect([rgb.width, rgb.height]).toEqual(entry.loaded_size);
      const levels = chwLevels(processor384.resize(rgb));
      const expectedLevels = fixtureBytes('family', 'reference-384', entry.file);
      const levelStats = diffStats(levels, expectedLevels);
      report(`384 ${name} (uint8 levels)`, levelStats);
      expect(levelStats.mismatches).toBe(0);
      const { pixelValues, dims } = processor384.processPixels(rgb);
      expect(dims).toEqual(entry.shape);
      const expected = Float32Array.from(expectedLevels, (u) => table[u]);
      expect(diffStats(pixelValues, expected).mismatches).toBe(0);
    });
  }
});

describe('family/reference-cls images (224)', () => {
  const table = Float32Array.from(refCls.pil_float32_value_of_uint8);
  for (const c of refCls.cases) {
    const name = c.image.split('/').pop() ?? c.image;
    const isPng = name.endsWith('.png');
    it.skipIf(!isPng && !sharp)(`${name}: pixel_values match the reference`, async () => {
      const bytes = fixtureBytes('family', 'reference-cls', c.image);
      const rgb = isPng ? await decodePng(bytes) : await loadJpegWithSharp(bytes);
      const { pixelValues, dims } = processor224.processPixels(rgb);
      expect(dims).toEqual(c.pixel_values_shape);
      let expected: Float32Array;
      if (c.pixel_values.endsWith('.u8')) {
        const levels = fixtureBytes('family', 'reference-cls', c.pixel_values);
        const levelStats = diffStats(chwLevels(processor224.resize(rgb)), levels);
        report(`cls ${name} (uint8 levels)`, levelStats);
        expect(levelStats.mismatches).toBe(0);
        expected = Float32Array.from(levels, (u) => table[u]);
      } else {
        expected = fixtureFloat32('family', 'reference-cls', c.pixel_values);
      }
      const stats = diffStats(pixelValues, expected);
      report(`cls ${name}`, stats);
      expect(stats.mismatches).toBe(0);
    });
  }
});
