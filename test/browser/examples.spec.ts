/**
 * examples/: the drop-in page (IIFE + autoTag) and the React and Vue apps built by `npm run build`.
 * Expected labels come from the fixture's images.json.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';

const images = JSON.parse(readFileSync('test/fixtures/reference/images/images.json', 'utf8')) as { file: string; expected_label: string | null }[];
const expectedLabel = (file: string): string => {
  const label = images.find((i) => i.file === file)?.expected_label;
  if (!label) throw new Error(`no expected label for ${file}`);
  return label;
};

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** SDK engine workers started by the page (onnxruntime's own blob: thread workers are not counted). */
function countEngineWorkers(page: Page): () => Promise<number> {
  // onnxruntime's WASM threads run the same script; the engine worker is the one named 'siglip-web'.
  const names: Promise<string>[] = [];
  page.on('worker', (w) => {
    if (w.url().endsWith('/siglip-web.worker.js')) names.push(w.evaluate(() => self.name).catch(() => 'closed'));
  });
  return async () => (await Promise.all(names)).filter((n) => n === 'siglip-web').length;
}

test('drop-in page: <script src=siglip-web.js> + autoTag writes tags, events and captions', async ({ page }, testInfo) => {
  page.on('pageerror', (err) => console.log(`[pageerror] ${err.message}`));
  await page.goto('/examples/dropin/');
  await expect(page.locator('#status')).toHaveText(/^Tagged on (wasm|webgpu)\.$/, { timeout: 120_000 });
  const tagged = await page.locator('img').evaluateAll((imgs) =>
    imgs.map((img) => ({ src: (img as HTMLImageElement).src.split('/').pop() ?? '', ...(img as HTMLElement).dataset, caption: img.closest('figure')?.querySelector('figcaption')?.textContent ?? '' })));
  expect(tagged).toHaveLength(4);
  for (const t of tagged) {
    expect(t.siglipStatus, t.src).toBe('done');
    expect(t.siglipTags?.split(', ')[0], t.src).toBe(expectedLabel(t.src));
    expect(t.caption).toBe(t.siglipTags);
    const scores = JSON.parse(t.siglipScores ?? '[]') as { label: string; score: number }[];
    expect(scores[0]?.label).toBe(expectedLabel(t.src));
  }
  await shot(page, testInfo, 'example-dropin');

  // Images added later are tagged too, and announce it with a bubbling siglip:tags event.
  const detail = await page.evaluate(async () => {
    const img = document.createElement('img');
    img.src = '../../test/fixtures/reference/images/shape_red_circle_224.png';
    img.dataset.siglipLabels = 'a red circle, a green triangle';
    const event = new Promise<{ tags: { label: string }[] }>((ok) =>
      document.addEventListener('siglip:tags', (e) => { if (e.target === img) ok((e as CustomEvent<{ tags: { label: string }[] }>).detail); }));
    document.body.append(img);
    return event;
  });
  expect(detail.tags[0]?.label).toBe(expectedLabel('shape_red_circle_224.png'));
});

test('drop-in page: data-siglip-autotag on the script tag needs no code at all', async ({ page }) => {
  await page.setContent('<p>blank</p>');
  await page.goto('/examples/dropin/');
  // Same origin as the example, then replace the document with a code-free one.
  await page.evaluate(() => {
    document.open();
    document.write(`<!doctype html><base href="/examples/dropin/">
      <img id="a" src="../../test/fixtures/reference/images/shape_purple_cross_palette.png" data-siglip-labels="a purple cross, a red circle">
      <script src="../../dist/siglip-web.js" data-siglip-autotag data-siglip-model="../../test/fixtures/siglip-shapes/"><\/script>`);
    document.close();
  });
  await expect(page.locator('#a')).toHaveAttribute('data-siglip-status', 'done', { timeout: 120_000 });
  await expect(page.locator('#a')).toHaveAttribute('data-siglip-tags', /^a purple cross/);
});

for (const framework of ['react', 'vue'] as const) {
  test(`${framework} example: useSiglip + useClassify label the samples, one shared model`, async ({ page }, testInfo) => {
    page.on('pageerror', (err) => console.log(`[pageerror] ${err.message}`));
    const workers = countEngineWorkers(page);
    await page.goto(`/coi/examples/${framework}/`);
    await expect(page.locator('.status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
    const first = page.locator('.results li .label').first();
    await expect(first).toHaveText(expectedLabel('shape_red_circle_224.png'));
    await expect(page.locator('.results li')).toHaveCount(3);
    for (const file of ['shape_green_triangle_exif6.jpg', 'shape_purple_cross_palette.png', 'shape_yellow_stripes_tall.png']) {
      await page.getByRole('button', { name: file }).click();
      await expect(first, file).toHaveText(expectedLabel(file));
    }
    await shot(page, testInfo, `example-${framework}`);
    // Two components with the same options (and React StrictMode's double mount) share one worker.
    expect(await workers()).toBe(1);
  });
}
