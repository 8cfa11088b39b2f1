/**
 * Image decoders through the public SiglipImageProcessor, in Chromium, against Pillow
 * (test/fixtures/decoders, written by make_reference.py). pages/decoders.js uses a processor with
 * do_resize false, so pixel_values are a plain affine map of the decoded RGB and |Δpixel| * 127.5
 * is the difference in 8-bit levels. Expected RGB is stored as PNG, which our decoder reads exactly.
 *  - GIF, BMP, lossless WebP, TIFF: our own decoders, exact (0 levels).
 *  - lossy WebP (VP8 bitstream decoded by the browser's libwebp), AVIF (browser): ≤ 1 level, as
 *    issue 11 allows where the browser's decoder must be used. Measured values are logged.
 */
import { expect, test, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface DecoderFixture {
  file: string;
  format: string;
  variant: string;
}

const manifest = JSON.parse(readFileSync('test/fixtures/decoders/manifest.json', 'utf8')) as { images: DecoderFixture[] };
const browserDecoded = (e: DecoderFixture): boolean => e.format === 'AVIF' || (e.format === 'WEBP' && !/lossless/.test(e.file));

interface Measured {
  file: string;
  max: number | null;
  mean: number | null;
  error?: string;
}

interface Harness {
  SiglipWeb: typeof import('../../src/index');
  harness: { fixture(path: string): string };
}

async function openHarness(page: Page): Promise<void> {
  await page.goto('/test/browser/pages/harness.html');
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
}

test.describe('image decoders match Pillow', () => {
  test('every decoder fixture, decoded through the public image processor', async ({ page }) => {
    await page.goto('/test/browser/pages/decoders.html');
    await page.waitForFunction(() => (window as unknown as { decodersReady?: boolean }).decodersReady === true);
    const results = await page.evaluate(() => (window as unknown as { measureDecoders(): Promise<Measured[]> }).measureDecoders());
    expect(results.map((r) => r.file)).toEqual(manifest.images.map((e) => e.file));
    for (const r of results) {
      const entry = manifest.images.find((e) => e.file === r.file) as DecoderFixture;
      console.log(`${r.file}: max ${r.max} mean ${r.mean?.toFixed(4)} levels${r.error ? ` (${r.error})` : ''}`);
      expect.soft(r.error, r.file).toBeUndefined();
      expect.soft(r.max, `${r.file} (${entry.variant})`).toBeLessThanOrEqual(browserDecoded(entry) ? 1 : 0);
    }
  });

  test('a truncated GIF, BMP, WebP or TIFF is an IMAGE_DECODE error and the processor keeps working', async ({ page }) => {
    await openHarness(page);
    const codes = await page.evaluate(async () => {
      const { SiglipWeb, harness } = window as unknown as Harness;
      const ip = await SiglipWeb.SiglipImageProcessor.fromPretrained(harness.fixture('siglip-shapes/'));
      const out: string[] = [];
      for (const file of ['gif_basic.gif', 'bmp_rle8.bmp', 'webp_lossless_alpha_exact.webp', 'webp_lossy_alpha.webp', 'tiff_lzw_rgb.tif', 'tiff_raw_rgb.tif']) {
        const bytes = new Uint8Array(await (await fetch(harness.fixture(`decoders/images/${file}`))).arrayBuffer());
        try {
          await ip.process(new Blob([bytes.slice(0, Math.floor(bytes.length / 2))]));
          out.push(`${file}: decoded`);
        } catch (err) {
          out.push(`${file}: ${(err as { code?: string }).code}`);
        }
      }
      const ok = await ip.process(harness.fixture('decoders/images/gif_basic.gif'));
      out.push(`after errors: ${ok.dims.join('x')}`);
      return out;
    });
    expect(codes).toEqual([
      'gif_basic.gif: IMAGE_DECODE',
      'bmp_rle8.bmp: IMAGE_DECODE',
      'webp_lossless_alpha_exact.webp: IMAGE_DECODE',
      'webp_lossy_alpha.webp: IMAGE_DECODE',
      'tiff_lzw_rgb.tif: IMAGE_DECODE',
      'tiff_raw_rgb.tif: IMAGE_DECODE',
      'after errors: 1x3x224x224',
    ]);
  });
  test('classify in the worker scores a lossless WebP with alpha, a GIF and a BMP exactly like their Pillow RGB', async ({ page }) => {
    await openHarness(page);
    const scores = await page.evaluate(async () => {
      const { SiglipWeb, harness } = window as unknown as Harness;
      const siglip = await SiglipWeb.createSiglip({ model: harness.fixture('siglip-shapes/'), worker: true, device: 'wasm' });
      try {
        const labels = ['a red circle', 'a blue square', 'green stripes'];
        const files = ['webp_lossless_alpha_exact.webp', 'gif_transparent.gif', 'bmp_32_v5_alpha.bmp'];
        const got = await siglip.classify(files.map((f) => harness.fixture(`decoders/images/${f}`)), labels);
        const want = await siglip.classify(files.map((f) => harness.fixture(`decoders/expected/${f}.png`)), labels);
        return { got, want };
      } finally {
        await siglip.dispose();
      }
    });
    expect(scores.got).toHaveLength(3);
    expect(scores.got).toEqual(scores.want);
  });

  test('JPEG 2000: the page\'s image processor decodes Pillow\'s RGB, and classify in the worker scores it like those pixels', async ({ page }) => {
    const expected = JSON.parse(readFileSync('test/fixtures/jpeg2000/expected.json', 'utf8')) as Record<string, { loads: boolean; width?: number; height?: number; rgb_sha256?: string }>;
    const files = ['rgb_lossy_97.jp2', 'rgb_codestream.j2k', 'gray.jp2', 'rgb_tiles_levels.jp2'];
    await openHarness(page);
    const r = await page.evaluate(async (files) => {
      const { SiglipWeb, harness } = window as unknown as Harness;
      // The model's normalisation without the resize: pixel values map 1:1 to RGB levels.
      const config = { do_resize: false, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] };
      const ip = await SiglipWeb.SiglipImageProcessor.fromPretrained(harness.fixture('jpeg2000/'), { fetch: async () => new Response(JSON.stringify(config)) });
      const decoded: { width: number; height: number; rgb: number[] }[] = [];
      for (const f of files) {
        const got = await ip.process(harness.fixture(`jpeg2000/images/${f}`));
        const [, h, w] = got.dims.slice(-3) as [number, number, number];
        const rgb = new Array<number>(w * h * 3);
        for (let c = 0; c < 3; c++) for (let i = 0; i < w * h; i++) rgb[i * 3 + c] = Math.round((got.pixelValues[c * w * h + i] as number) * 127.5 + 127.5);
        decoded.push({ width: w, height: h, rgb });
      }
      const siglip = await SiglipWeb.createSiglip({ model: harness.fixture('siglip-shapes/'), worker: true, device: 'wasm' });
      try {
        const labels = ['a red circle', 'a blue square', 'green stripes'];
        const got = await siglip.classify(files.map((f) => harness.fixture(`jpeg2000/images/${f}`)), labels);
        const asImageData = (d: { width: number; height: number; rgb: number[] }): ImageData => {
          const rgba = new Uint8ClampedArray(d.width * d.height * 4).fill(255);
          for (let i = 0; i < d.width * d.height; i++) rgba.set(d.rgb.slice(i * 3, i * 3 + 3), i * 4);
          return new ImageData(rgba, d.width, d.height);
        };
        const want = await siglip.classify(decoded.map(asImageData), labels);
        return { decoded, got, want };
      } finally {
        await siglip.dispose();
      }
    }, files);
    r.decoded.forEach((d, i) => {
      const want = expected[files[i] as string];
      expect([d.width, d.height], files[i]).toEqual([want?.width, want?.height]);
      expect(createHash('sha256').update(Uint8Array.from(d.rgb)).digest('hex'), files[i]).toBe(want?.rgb_sha256);
    });
    expect(r.got).toHaveLength(files.length);
    expect(r.got).toEqual(r.want);
  });
});
