/**
 * Photo library robustness: a page closed mid-add and a killed worker leave only whole records and
 * a second add completes the set without duplicates; two tabs adding at once give an exact count;
 * a reload answers with the same count and ranking without re-embedding.
 */
import { expect, test, type Page } from '@playwright/test';
import { embeddings, openLibraryPage, type LibraryWindow } from './helpers/library-fixture.js';

const IMAGES = embeddings.images;

/** 26 distinct photos: the fixture images and a byte-different copy of each. */
async function startAdd(page: Page, stopAfter: number): Promise<void> {
  await page.evaluate(async ({ images, stopAfter }) => {
    const w = window as unknown as LibraryWindow & { reached?: boolean };
    const files = await w.photos(images);
    const all = [...files, ...files.map((f, i) => new File([f, new Uint8Array([i])], `copy-${f.name}`, { type: f.type }))];
    (w as unknown as { all: File[] }).all = all;
    void w.lib.add(all, { onProgress: (p) => { if (p.done >= stopAfter) w.reached = true; } }).catch(() => undefined);
  }, { images: IMAGES, stopAfter });
  if (stopAfter > 0) await page.waitForFunction(() => (window as unknown as { reached?: boolean }).reached === true, undefined, { timeout: 120_000 });
}

async function consistency(page: Page): Promise<{ count: number; whole: boolean; ids: string[] }> {
  return page.evaluate(async () => {
    const w = window as unknown as LibraryWindow;
    const list = await w.lib.list();
    const got = await Promise.all(list.map((p) => w.lib.get(p.id)));
    const exported = await w.SiglipWeb.openLibrary(w.siglip, w.lib.name).then((l) => l.export());
    return { count: await w.lib.count(), whole: got.every((p) => p?.embedding?.length === 128) && exported.size > 0 && new Set(list.map((p) => p.id)).size === list.length, ids: list.map((p) => p.id) };
  });
}

async function completeAgain(page: Page): Promise<{ added: number; skipped: number; count: number }> {
  return page.evaluate(async ({ images }) => {
    const w = window as unknown as LibraryWindow;
    const files = await w.photos(images);
    const all = [...files, ...files.map((f, i) => new File([f, new Uint8Array([i])], `copy-${f.name}`, { type: f.type }))];
    const r = await w.lib.add(all);
    return { added: r.added, skipped: r.skipped, count: await w.lib.count() };
  }, { images: IMAGES });
}

test.describe('photo library robustness', () => {
  test.describe.configure({ mode: 'serial' });

  for (const stopAfter of [0, 8]) {
    test(`closing the page mid-add (after ${stopAfter} photos) leaves whole records; add again completes the set`, async ({ browser }) => {
      const context = await browser.newContext();
      const first = await context.newPage();
      await openLibraryPage(first, `spec-close-${stopAfter}`, { fresh: true });
      await startAdd(first, stopAfter);
      await first.close();
      const second = await context.newPage();
      await openLibraryPage(second, `spec-close-${stopAfter}`);
      const state = await consistency(second);
      console.log(`closed after ≥${stopAfter}: ${state.count} stored`);
      expect(state.whole).toBe(true);
      const done = await completeAgain(second);
      expect(done.skipped).toBe(state.count);
      expect(done.added + done.skipped).toBe(IMAGES.length * 2);
      expect(done.count).toBe(IMAGES.length * 2);
      await context.close();
    });
  }

  test('a worker killed mid-add: the call retries on the restarted worker, nothing lost or duplicated', async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript({ path: 'test/browser/pages/worker-spy.js' });
    await openLibraryPage(page, 'spec-kill', { fresh: true });
    const r = await page.evaluate(async ({ images }) => {
      const w = window as unknown as LibraryWindow & { workerSpy: { workers: Worker[] } };
      const files = await w.photos(images);
      const all = [...files, ...files.map((f, i) => new File([f, new Uint8Array([i])], `copy-${f.name}`, { type: f.type }))];
      let killed = false;
      const report = await w.lib.add(all, { onProgress: (p) => { if (!killed && p.done >= 8) { killed = true; w.workerSpy.workers[0]?.terminate(); } } });
      return { killed, added: report.added, skipped: report.skipped, failed: report.failed.length, count: await w.lib.count(), total: all.length };
    }, { images: IMAGES });
    expect(r.killed).toBe(true);
    expect(r.failed).toBe(0);
    expect(r.added + r.skipped).toBe(r.total);
    expect(r.count).toBe(r.total);
    await context.close();
  });

  test('two tabs adding overlapping photos at once: exact count, no duplicates; a reload ranks the same without re-embedding', async ({ browser }) => {
    const context = await browser.newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    await openLibraryPage(a, 'spec-tabs', { fresh: true });
    await openLibraryPage(b, 'spec-tabs');
    const add = (page: Page, from: number, to: number) => page.evaluate(async ({ images }) => {
      const w = window as unknown as LibraryWindow;
      const r = await w.lib.add(await w.photos(images));
      return r.added + r.skipped;
    }, { images: IMAGES.slice(from, to) });
    const [na, nb] = await Promise.all([add(a, 0, 9), add(b, 4, IMAGES.length)]);
    expect(na).toBe(9);
    expect(nb).toBe(IMAGES.length - 4);
    const before = await a.evaluate(async () => {
      const w = window as unknown as LibraryWindow;
      return { count: await w.lib.count(), hits: (await w.lib.search('a purple cross', { k: 13 })).map((h) => h.id) };
    });
    expect(before.count).toBe(IMAGES.length);
    await b.close();
    await a.reload();
    await openLibraryPage(a, 'spec-tabs');
    const after = await a.evaluate(async () => {
      const w = window as unknown as LibraryWindow;
      return { count: await w.lib.count(), hits: (await w.lib.search('a purple cross', { k: 13 })).map((h) => h.id) };
    });
    expect(after.count).toBe(before.count);
    expect(after.hits).toEqual(before.hits);
    await context.close();
  });
});
