/**
 * The demo (demo/index.html) driven like a user: bundled model, sample photos, tags, search,
 * theme, and text-only rendering of user-provided strings. Expected labels come from the fixture's
 * images.json (Python reference), never from the demo.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';

const images = JSON.parse(readFileSync('test/fixtures/reference/images/images.json', 'utf8')) as { file: string; expected_label: string | null }[];
const expectedLabel = (file: string): string => {
  const label = images.find((i) => i.file === file)?.expected_label;
  if (!label) throw new Error(`no expected label for ${file}`);
  return label;
};
// Images on which the tiny fixture model is right with all 36 labels.
const CHECKED = ['shape_red_circle_224.png', 'shape_green_triangle_exif6.jpg', 'shape_purple_cross_palette.png', 'shape_yellow_stripes_tall.png'];

async function openDemo(page: Page): Promise<void> {
  page.on('pageerror', (err) => console.log(`[pageerror] ${err.message}`));
  await page.goto('/coi/demo/');
  await expect(page.locator('#download-block')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
}

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function loadSamples(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Load sample photos' }).click();
  await expect(page.locator('#batch-text')).toHaveText(/^All [1-9]\d* photos tagged$/, { timeout: 120_000 });
}

test.describe('demo: private photo tagger', () => {
  test('tags the sample photos, shows the backend, and search ranks the right photo first', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 1360, height: 1000 });
    await openDemo(page);
    const status = page.locator('#status-list');
    await expect(status).toContainText('WASM');
    await expect(status).toContainText('Isolated');
    await expect(status).toContainText('yes');
    await expect(status).toContainText('siglip-shapes');

    await loadSamples(page);
    const names = await page.locator('.card').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.name));
    for (const file of CHECKED) expect(names).toContain(file);
    for (const file of CHECKED) {
      await expect(page.locator(`.card[data-name="${file}"] .tag-label`).first(), file).toHaveText(expectedLabel(file));
    }
    await shot(page, testInfo, 'demo-tagged-light');

    for (const file of CHECKED) {
      await page.getByRole('searchbox').fill(expectedLabel(file));
      const first = page.locator('.card').first();
      await expect(first, `search "${expectedLabel(file)}"`).toHaveAttribute('data-name', file);
      await expect(first).toHaveClass(/best/);
    }
    await shot(page, testInfo, 'demo-search');

    await page.getByRole('searchbox').fill('');
    await expect(page.locator('.card.best')).toHaveCount(0);
  });

  test('threshold slider hides low tags without re-running the model', async ({ page }) => {
    await openDemo(page);
    await loadSamples(page);
    const card = page.locator(`.card[data-name="${CHECKED[0]}"]`);
    const before = await card.locator('.tag:not(.guess)').count();
    expect(before).toBeGreaterThan(0);
    await page.locator('#threshold').fill('0.99');
    await expect(card.locator('.tag:not(.guess)')).toHaveCount(0);
    await expect(card.locator('.tag.guess .tag-label')).toHaveText(expectedLabel(CHECKED[0]!));
    await page.locator('#threshold').fill('0');
    await expect(card.locator('.tag')).toHaveCount(5);
  });

  test('labels and file names are shown as text, never parsed as HTML', async ({ page }) => {
    await openDemo(page);
    const evil = '<img src=x onerror="window.__pwned=1">';
    await page.locator('#labels-input').fill(`${evil}\na red circle`);
    await page.getByRole('button', { name: 'Apply labels' }).click();
    await page.locator('#threshold').fill('0');
    const png = readFileSync('test/fixtures/reference/images/shape_red_circle_224.png');
    await page.locator('#file-input').setInputFiles({ name: '<b>bold</b>.png', mimeType: 'image/png', buffer: png });
    const card = page.locator('.card').first();
    await expect(card.locator('.tag-label')).toHaveCount(2);
    await expect(card.locator('.tag-label').filter({ hasText: evil })).toHaveCount(1);
    await expect(card.locator('.card-title')).toHaveText('<b>bold</b>.png');
    expect(await page.locator('#gallery img[src="x"], #gallery b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  test('dark theme toggle, narrow layout and keyboard use', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 420, height: 900 });
    await openDemo(page);
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await bg();
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
    expect(await bg()).not.toBe(light);
    // Keyboard only: focus the sample button and press Enter.
    await page.getByRole('button', { name: 'Load sample photos' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('#batch-text')).toHaveText(/^All [1-9]\d* photos tagged$/, { timeout: 120_000 });
    await shot(page, testInfo, 'demo-mobile-theme-toggled');
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
    expect(await bg()).toBe(light);
  });
});
