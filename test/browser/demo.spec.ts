/**
 * The demo (demo/index.html) driven like a user: bundled model, sample photos indexed into a library,
 * tags and search from stored embeddings, reload, failures, main-thread smoothness, theme, and
 * text-only rendering of user-provided strings. Expected labels come from the fixture's images.json
 * (Python reference), never from the demo.
 */
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const IMAGES = 'test/fixtures/reference/images';
const images = JSON.parse(readFileSync(`${IMAGES}/images.json`, 'utf8')) as { file: string; expected_label: string | null }[];
const expectedLabel = (file: string): string => {
  const label = images.find((i) => i.file === file)?.expected_label;
  if (!label) throw new Error(`no expected label for ${file}`);
  return label;
};
// Images on which the tiny fixture model is right with all 36 labels.
const CHECKED = ['shape_red_circle_224.png', 'shape_green_triangle_exif6.jpg', 'shape_purple_cross_palette.png', 'shape_yellow_stripes_tall.png'];
const SAMPLES = images.filter((i) => i.file.startsWith('shape_')).length;
const INDEXED = /^(\d+) photos? indexed and tagged/;

async function openDemo(page: Page): Promise<void> {
  page.on('pageerror', (err) => console.log(`[pageerror] ${err.message}`));
  await page.goto('/coi/demo/');
  const block = page.locator('#download-block');
  await expect(block).toHaveAttribute('data-state', /^(ready|error)$/, { timeout: 120_000 });
  // A failed load says why (the demo shows the SiglipError message): keep it in the test report.
  expect(await block.getAttribute('data-state'), `model load: ${await page.locator('#download-text').textContent()}`).toBe('ready');
}

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function loadSamples(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Load sample photos' }).click();
  await expect(page.locator('#batch-text')).toHaveText(new RegExp(`^${SAMPLES} photos indexed and tagged$`), { timeout: 120_000 });
}

interface TraceEvent { name: string; ph?: string; pid: number; tid: number; tdur?: number; args?: { name?: string; data?: { frames?: { processId: number; url: string }[] } } }

/** CPU time (ms) of every task on the main thread of the renderer showing a page whose URL contains `urlPart`. */
function mainThreadTaskCpuMs(trace: Buffer, urlPart: string): number[] {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const pids = new Set(events.filter((e) => e.name === 'TracingStartedInBrowser')
    .flatMap((e) => e.args?.data?.frames ?? []).filter((f) => f.url.includes(urlPart)).map((f) => f.processId));
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && pids.has(e.pid)).map((e) => `${e.pid}:${e.tid}`));
  return events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`)).map((e) => (e.tdur ?? 0) / 1000);
}

/** Distinct files (different bytes, so different ids) that decode to the fixture images. */
function distinctPhotos(n: number): { name: string; mimeType: string; buffer: Buffer }[] {
  const bases = ['shape_red_circle_224.png', 'shape_blue_square.jpg', 'shape_purple_cross_palette.png', 'coffee.jpg'];
  return Array.from({ length: n }, (_, i) => {
    const base = bases[i % bases.length]!;
    // Bytes after the end of a PNG (IEND) or JPEG (EOI) are ignored by decoders.
    const buffer = Buffer.concat([readFileSync(`${IMAGES}/${base}`), Buffer.from(`copy ${i}`)]);
    return { name: `copy_${i}_${base}`, mimeType: base.endsWith('.png') ? 'image/png' : 'image/jpeg', buffer };
  });
}

test.describe('demo: private photo library', () => {
  test('indexes the sample photos, tags them as Python does, and search ranks the right photo first', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 1360, height: 1000 });
    await openDemo(page);
    const status = page.locator('#status-list');
    await expect(status).toContainText('WASM');
    await expect(status).toContainText('yes');
    await expect(status).toContainText('siglip-shapes');

    await loadSamples(page);
    await expect(status).toContainText(`${SAMPLES} photos`);
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
      // A relevance the user can read (the SigLIP probability), not a raw cosine like "Match -0.025".
      await expect(first.locator('.match')).toHaveText(/^Relevance \d{1,3}%$/);
    }
    await shot(page, testInfo, 'demo-search');

    await page.getByRole('searchbox').fill('');
    await expect(page.locator('.card.best')).toHaveCount(0);

    // Adding the same photos again stores nothing twice.
    await page.getByRole('button', { name: 'Load sample photos' }).click();
    await expect(page.locator('#live')).toHaveText(`Done: 0 new, ${SAMPLES} already in the library`, { timeout: 60_000 });
    await expect(page.locator('.card')).toHaveCount(SAMPLES);
  });

  test('a reload shows the same gallery and tags from storage, without indexing again', async ({ page }) => {
    await openDemo(page);
    await loadSamples(page);
    const before = await page.locator('.card').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.name));
    await page.reload();
    // The stored thumbnails appear as soon as the page runs, whether the model is ready or not.
    await expect(page.locator('.card .thumb img[src^="blob:"]')).toHaveCount(SAMPLES);
    await expect(page.locator('#download-block')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    expect(await page.locator('.card').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.name))).toEqual(before);
    await expect(page.locator('#batch-text')).toHaveText(new RegExp(`^${SAMPLES} photos indexed and tagged$`));
    for (const file of CHECKED) await expect(page.locator(`.card[data-name="${file}"] .tag-label`).first()).toHaveText(expectedLabel(file));
    expect(await page.evaluate(() => (window as unknown as { demo: { indexer: { running: boolean } } }).demo.indexer.running)).toBe(false);
  });

  test('a broken file is reported as failed and never counted as tagged', async ({ page }) => {
    await openDemo(page);
    const good = readFileSync(`${IMAGES}/shape_red_circle_224.png`);
    await page.locator('#file-input').setInputFiles([
      { name: 'good.png', mimeType: 'image/png', buffer: good },
      { name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a jpeg at all') },
    ]);
    await expect(page.locator('#batch-text')).toHaveText('1 photo indexed and tagged · 1 could not be read', { timeout: 60_000 });
    const broken = page.locator('.card[data-name="broken.jpg"]');
    await expect(broken).toHaveAttribute('data-state', 'failed');
    await expect(broken.locator('.card-state')).toHaveText(/^Could not read: /);
    await expect(page.locator('.card[data-name="good.png"] .tag-label').first()).toHaveText(expectedLabel('shape_red_circle_224.png'));
  });

  test('a model that fails to load shows an error, not "Tagging…" forever', async ({ page }) => {
    await page.route('**/siglip-shapes/**/*.onnx', (route) => route.fulfill({ status: 404, body: 'gone' }));
    page.on('pageerror', (err) => console.log(`[pageerror] ${err.message}`));
    await page.setViewportSize({ width: 420, height: 900 });
    await page.goto('/coi/demo/');
    const banner = page.locator('#model-banner');
    await expect(banner).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
    await expect(banner).toBeInViewport(); // on a phone's first screen, not below the gallery
    await expect(banner).toContainText('The model did not load');
    await page.locator('#file-input').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: readFileSync(`${IMAGES}/shape_red_circle_224.png`) });
    await expect(page.locator('.card .card-state')).toHaveText('Waiting: the model did not load');
    await expect(page.getByText(/Tagging…|Indexing…/)).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Retry' })).toBeVisible();
  });

  test('adding 50 photos keeps main-thread tasks under 50 ms, with small stored thumbnails', async ({ page, browser }, testInfo) => {
    await openDemo(page);
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) w.longTasks.push(e.duration); }).observe({ type: 'longtask' });
    });
    // Files on disk, as a user picks them (buffers would be built by script on the page's main thread).
    const dir = testInfo.outputPath('photos');
    mkdirSync(dir, { recursive: true });
    const files = distinctPhotos(49).map((f) => { writeFileSync(`${dir}/${f.name}`, f.buffer); return `${dir}/${f.name}`; });
    // The trace gives each main-thread task's CPU time: what the page itself did, whatever else runs.
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    await page.locator('#file-input').setInputFiles([...files, `${IMAGES}/rocket_large_3000x2000.jpg`]);
    await expect(page.locator('#batch-text')).toHaveText(/^50 photos indexed and tagged$/, { timeout: 180_000 });
    const cpu = mainThreadTaskCpuMs(await browser.stopTracing(), '/demo/');
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    const figures = `long tasks (wall): ${longTasks.length ? `${longTasks.map((t) => Math.round(t)).join(', ')} ms` : 'none'}; longest task CPU time ${Math.max(0, ...cpu).toFixed(0)} ms over ${cpu.length} tasks; load average ${loadavg()[0]!.toFixed(1)}`;
    console.log(figures);
    expect(cpu.length, 'main-thread tasks found in the trace').toBeGreaterThan(100);
    // Work the page does on its main thread: never 50 ms in one task (load-independent).
    expect(Math.max(...cpu), figures).toBeLessThan(50);
    // As the user feels it: on a machine busy with other jobs the wall time also counts the time the
    // main thread waited for a core (tasks of 1–17 ms CPU measured at 52–88 ms wall under load 2–4),
    // so the 50 ms rule is the CPU check above; a frozen page still fails here.
    console.log(figures);
    expect(Math.max(0, ...longTasks), figures).toBeLessThan(250);

    // The gallery renders 48 cards and adds more as its end scrolls into view, as a user scrolls.
    const rocket = page.locator('.card[data-name="rocket_large_3000x2000.jpg"] img');
    await expect(async () => {
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await expect(rocket).toBeAttached({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await rocket.scrollIntoViewIfNeeded();
    await expect(rocket).toHaveAttribute('src', /^blob:/);
    const size = await rocket.evaluate(async (img: HTMLImageElement) => {
      await img.decode();
      const blob = await (await fetch(img.src)).blob();
      return { w: img.naturalWidth, h: img.naturalHeight, bytes: blob.size };
    });
    expect(Math.max(size.w, size.h)).toBeLessThanOrEqual(320);
    expect(size.bytes).toBeLessThan(40_000);
  });

  test('threshold slider hides low tags without re-running the model', async ({ page }) => {
    await openDemo(page);
    await loadSamples(page);
    const card = page.locator(`.card[data-name="${CHECKED[0]}"]`);
    await expect(card.locator('.tag:not(.guess)').first()).toBeVisible();
    await page.locator('#threshold').fill('0.99');
    await expect(card.locator('.tag:not(.guess)')).toHaveCount(0);
    await expect(card.locator('.tag.guess .tag-label')).toHaveText(expectedLabel(CHECKED[0]!));
    await page.locator('#threshold').fill('0');
    await expect(card.locator('.tag')).toHaveCount(5);
  });

  test('new labels re-tag every photo at once from the stored embeddings', async ({ page }) => {
    await openDemo(page);
    await loadSamples(page);
    await page.locator('#labels-input').fill('a red circle\na purple cross');
    await page.getByRole('button', { name: 'Apply labels' }).click();
    await page.locator('#threshold').fill('0');
    await expect(page.locator(`.card[data-name="shape_red_circle_224.png"] .tag-label`).first()).toHaveText('a red circle');
    await expect(page.locator(`.card[data-name="shape_purple_cross_palette.png"] .tag-label`).first()).toHaveText('a purple cross');
    await expect(page.locator('.card .tag-label')).toHaveCount(SAMPLES * 2);
  });

  test('labels and file names are shown as text, never parsed as HTML', async ({ page }) => {
    await openDemo(page);
    const evil = '<img src=x onerror="window.__pwned=1">';
    await page.locator('#labels-input').fill(`${evil}\na red circle`);
    await page.getByRole('button', { name: 'Apply labels' }).click();
    await page.locator('#threshold').fill('0');
    const png = readFileSync(`${IMAGES}/shape_red_circle_224.png`);
    await page.locator('#file-input').setInputFiles({ name: '<b>bold</b>.png', mimeType: 'image/png', buffer: png });
    const card = page.locator('.card').first();
    await expect(card.locator('.tag-label')).toHaveCount(2, { timeout: 60_000 });
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
    await expect(page.locator('#batch-text')).toHaveText(INDEXED, { timeout: 120_000 });
    await shot(page, testInfo, 'demo-mobile-theme-toggled');
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
    expect(await bg()).toBe(light);
  });
});
