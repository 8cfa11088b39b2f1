/**
 * Photo size limits are Pillow's (Image.open raises DecompressionBombError past 178,956,970 pixels,
 * 2 × MAX_IMAGE_PIXELS, and only warns below): a 108 MP phone photo (12000x9000, EXIF-rotated)
 * decodes to Python's pixel values and is indexed; files whose headers claim more are refused with
 * INVALID_INPUT naming Pillow's error, and the job goes on. The photos and Python's numbers come
 * from helpers/big_photos.py at test time.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { openLibraryPage, type LibraryWindow } from './helpers/library-fixture.js';

const DIR = 'test/browser/.generated/big-photos';
type Python = Record<string, { loads: true; width: number; height: number; levels_sha256: string } | { loads: false; error: string }>;

test.describe('photos as large as Pillow opens', () => {
  test.describe.configure({ mode: 'serial', timeout: 180_000 });
  let page: Page;
  let python: Python;

  test.beforeAll(async ({ browser }) => {
    mkdirSync(DIR, { recursive: true });
    python = JSON.parse(execFileSync('python3', ['test/browser/helpers/big_photos.py', DIR], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Python;
    page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await openLibraryPage(page, 'spec-big-photos', { fresh: true });
  });

  test.afterAll(async () => {
    await page.close();
  });

  test('a 108 MP EXIF-rotated JPEG: the image processor gives Python\'s pixel values, the library adds it at 9000x12000', async () => {
    const py = python['big_108mp_exif6.jpg'];
    if (!py?.loads) throw new Error(`Python did not load the 108 MP photo: ${JSON.stringify(py)}`);
    const r = await page.evaluate(async (url) => {
      const w = window as unknown as LibraryWindow;
      const ip = await w.SiglipWeb.SiglipImageProcessor.fromPretrained(w.harness.fixture('siglip-shapes/'));
      const { pixelValues } = await ip.process(url);
      const levels = Array.from(pixelValues, (v) => Math.round((v + 1) * 127.5));
      const file = new File([await (await fetch(url)).blob()], 'big_108mp_exif6.jpg', { type: 'image/jpeg' });
      const report = await w.lib.add([file]);
      const photo = report.ids[0] ? await w.lib.get(report.ids[0]) : undefined;
      return { levels, added: report.added, failed: report.failed.map((f) => `${f.error.code}: ${f.error.message}`), width: photo?.width, height: photo?.height };
    }, `/${DIR}/big_108mp_exif6.jpg`);
    expect(createHash('sha256').update(Uint8Array.from(r.levels)).digest('hex')).toBe(py.levels_sha256);
    expect(r.failed).toEqual([]);
    expect(r.added).toBe(1);
    expect([r.width, r.height]).toEqual([py.width, py.height]);
  });

  test('headers claiming more than Pillow opens are INVALID_INPUT naming its error; the other photos are added', async () => {
    for (const name of ['bomb_png.png', 'bomb_jpeg.jpg']) expect(python[name]).toMatchObject({ loads: false, error: expect.stringMatching(/^DecompressionBombError/) });
    const r = await page.evaluate(async (dir) => {
      const w = window as unknown as LibraryWindow;
      const files = await Promise.all(['bomb_png.png', 'bomb_jpeg.jpg'].map(async (n) => new File([await (await fetch(`/${dir}/${n}`)).blob()], n)));
      const report = await w.lib.add([...files, ...(await w.photos(['images/shape_red_circle_224.png']))]);
      return { added: report.added, failed: report.failed.map((f) => ({ name: f.name, code: f.error.code, message: f.error.message })), count: await w.lib.count() };
    }, DIR);
    expect(r.added).toBe(1);
    expect(r.failed.map((f) => [f.name, f.code])).toEqual([['bomb_png.png', 'INVALID_INPUT'], ['bomb_jpeg.jpg', 'INVALID_INPUT']]);
    for (const f of r.failed) expect(f.message).toMatch(/above the 178956970-pixel limit \(Pillow refuses it too: DecompressionBombError\)/);
    expect(r.count).toBe(2);
  });
});
