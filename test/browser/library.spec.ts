/**
 * Photo library through the public API on the fixture model (one page, tests in order): dedupe by
 * content, Python-equal rankings, tag equal to classify, export read by Python, a Python-written
 * file imported, bad files reported, abort mid-add, inline mode and model mismatch.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddings, openLibraryPage, pythonRanking, type LibraryWindow } from './helpers/library-fixture.js';

const IMAGES = embeddings.images;
const NAMES = IMAGES.map((p) => p.split('/').pop() as string);
const PY = 'test/browser/helpers/library_file.py';
const LABELS = ['a red circle', 'a blue square', 'a green triangle', 'an orange star', 'a purple cross', 'yellow stripes'];

function python(...args: string[]): string {
  return execFileSync('python3', [PY, ...args], { encoding: 'utf8' });
}

test.describe('photo library', () => {
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let firstIds: string[] = [];

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await openLibraryPage(page, 'spec-basic', { fresh: true });
  });

  test.afterAll(async () => {
    await page.close();
  });

  test('add stores each photo once, by content; search ranks like Python; tag equals classify', async () => {
    const r = await page.evaluate(async ({ images, labels }) => {
      const w = window as unknown as LibraryWindow;
      const files = await w.photos(images);
      const progress: { done: number; total?: number }[] = [];
      const first = await w.lib.add(files, { onProgress: (p) => progress.push(p) });
      // The same bytes under another name, plus the whole set again.
      const renamed = new File([files[0] as File], 'copy-of-first.png', { type: 'image/png' });
      const again = await w.lib.add([...files, renamed]);
      const hits = await w.lib.search('a red circle', { template: false, k: images.length });
      const tags = await w.lib.tag(labels, { topk: 3 });
      const classified = await w.siglip.classify(files, labels, { topk: 3 });
      const photo = await w.lib.get(first.ids[0] as string);
      return {
        first: { added: first.added, skipped: first.skipped, failed: first.failed.length, ids: first.ids },
        again: { added: again.added, skipped: again.skipped, ids: again.ids },
        count: await w.lib.count(), progress, listed: (await w.lib.list({ offset: 2, limit: 3 })).map((p) => p.name),
        hits: hits.map((h) => ({ name: h.name, similarity: h.similarity, score: h.score })),
        tags: first.ids.map((id) => tags[id]), classified,
        photo: photo && { ...photo, embedding: photo.embedding ? Array.from(photo.embedding) : [] },
      };
    }, { images: IMAGES, labels: LABELS });
    expect(r.first).toMatchObject({ added: IMAGES.length, skipped: 0, failed: 0 });
    expect(r.first.ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(r.again).toMatchObject({ added: 0, skipped: IMAGES.length + 1 });
    expect(r.again.ids[IMAGES.length]).toBe(r.first.ids[0]);
    expect(r.count).toBe(IMAGES.length);
    expect(r.progress.at(-1)).toMatchObject({ done: IMAGES.length, total: IMAGES.length });
    expect(r.listed).toEqual(NAMES.slice(2, 5));
    expect(r.hits.map((h) => h.name)).toEqual(pythonRanking(0));
    const j = 0;
    for (const h of r.hits) {
      const i = NAMES.indexOf(h.name as string);
      const logit = (embeddings.logits_per_image[i] as number[])[j] as number;
      expect(Math.abs(h.score - 1 / (1 + Math.exp(-logit)))).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(h.similarity - (logit - embeddings.logit_bias) / embeddings.logit_scale_exp)).toBeLessThanOrEqual(1e-4);
    }
    expect(r.tags).toEqual(r.classified);
    expect(r.photo).toMatchObject({ id: r.first.ids[0], name: NAMES[0], type: 'image/png', lastModified: 1_700_000_000_000 });
    const ref = embeddings.image_embeds_raw[0] as number[];
    expect(Math.max(...ref.map((v, i) => Math.abs(v - (r.photo?.embedding[i] as number))))).toBeLessThanOrEqual(1e-4);
    firstIds = r.first.ids;
  });

  test('export is a safetensors file Python reads as get_image_features of the photos', async () => {
    const bytes = await page.evaluate(async () => {
      const w = window as unknown as LibraryWindow;
      return Array.from(new Uint8Array(await (await w.lib.export()).arrayBuffer()));
    });
    const dir = mkdtempSync(join(tmpdir(), 'siglip-lib-'));
    writeFileSync(join(dir, 'export.safetensors'), Uint8Array.from(bytes));
    const read = JSON.parse(python('read', join(dir, 'export.safetensors'))) as { format: string; model: string; dtype: string; shape: number[]; ids: string[]; names: (string | null)[]; max_abs_delta: number };
    console.log(`export read by Python: shape ${read.shape.join('x')}, max |Δ| vs get_image_features ${read.max_abs_delta.toExponential(2)}`);
    expect(read).toMatchObject({ format: 'siglip-web-library/1', dtype: 'float32', shape: [IMAGES.length, embeddings.image_embeds_raw[0]?.length] });
    expect(read.model).toContain('siglip-shapes');
    expect(read.ids).toEqual(firstIds);
    expect(read.names).toEqual(NAMES);
    expect(read.max_abs_delta).toBeLessThanOrEqual(1e-4);
  });

  test('a library file written by Python imports, ranks and tags as Python does, and dedupes against add', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siglip-lib-'));
    python('write', join(dir, 'python.safetensors'));
    const bytes = Array.from(readFileSync(join(dir, 'python.safetensors')));
    const r = await page.evaluate(async ({ bytes, texts, images, labels }) => {
      const w = window as unknown as LibraryWindow;
      const lib = await w.siglip.openLibrary('spec-import');
      await lib.clear();
      const imported = await lib.import(new Blob([Uint8Array.from(bytes)]));
      const rankings = [];
      for (const t of texts) rankings.push((await lib.search(t, { template: false, k: images.length })).map((h) => h.name));
      const tags = await lib.tag(labels, { template: '{label}' });
      const list = await lib.list();
      const readd = await lib.add(await w.photos(images));
      return { imported, rankings, tags: list.map((p) => tags[p.id]), readd: { added: readd.added, skipped: readd.skipped }, count: await lib.count() };
    }, { bytes, texts: embeddings.texts.slice(0, 6), images: IMAGES, labels: LABELS.slice(0, 3) });
    expect(r.imported).toBe(IMAGES.length);
    r.rankings.forEach((ranking, j) => expect(ranking, embeddings.texts[j]).toEqual(pythonRanking(j)));
    // Python's sigmoid(logits) for the first three texts, which are the labels as given (template '{label}').
    r.tags.forEach((scores, i) => {
      for (const s of scores ?? []) {
        const logit = (embeddings.logits_per_image[i] as number[])[LABELS.indexOf(s.label)] as number;
        expect(Math.abs(s.score - 1 / (1 + Math.exp(-logit)))).toBeLessThanOrEqual(1e-4);
      }
    });
    expect(r.readd).toEqual({ added: 0, skipped: IMAGES.length });
    expect(r.count).toBe(IMAGES.length);
  });

  test('bad files are reported with typed errors and never stop the job; bad library files are refused', async () => {
    const r = await page.evaluate(async ({ images }) => {
      const w = window as unknown as LibraryWindow;
      const lib = await w.siglip.openLibrary('spec-bad');
      await lib.clear();
      const good = await w.photos(images.slice(7, 10));
      const png = new Uint8Array(await (good[0] as File).arrayBuffer());
      const sources = [
        new File(['not an image at all'], 'notes.txt', { type: 'text/plain' }),
        good[0] as File,
        new File([png.slice(0, 200)], 'truncated.png', { type: 'image/png' }),
        new File([], 'empty.jpg', { type: 'image/jpeg' }),
        good[1] as File,
        new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5])], 'broken.jpg', { type: 'image/jpeg' }),
        'https://example.com/not-a-source.jpg' as unknown as File,
        good[2] as File,
      ];
      const report = await lib.add(sources);
      const importErrors = [];
      for (const bad of [new Blob(['hello']), new Blob([new Uint8Array(16)]), (await lib.export()).slice(0, 100)]) {
        try {
          await lib.import(bad);
          importErrors.push('imported');
        } catch (e) {
          importErrors.push((e as { code?: string }).code);
        }
      }
      return {
        added: report.added, ids: report.ids.length, count: await lib.count(),
        failed: report.failed.map((f) => ({ name: f.name, code: f.error.code, isError: f.error instanceof w.SiglipWeb.SiglipError })),
        importErrors,
      };
    }, { images: IMAGES });
    expect(r.added).toBe(3);
    expect(r.count).toBe(3);
    expect(r.failed.map((f) => f.name)).toEqual(['notes.txt', 'truncated.png', 'empty.jpg', 'broken.jpg', undefined]);
    for (const f of r.failed) {
      expect(f.isError).toBe(true);
      expect(['IMAGE_DECODE', 'INVALID_INPUT']).toContain(f.code);
    }
    expect(r.importErrors).toEqual(['LIBRARY_FORMAT', 'LIBRARY_FORMAT', 'LIBRARY_FORMAT']);
  });

  test('abort mid-add keeps only whole records; add again completes the set without duplicates', async () => {
    const r = await page.evaluate(async ({ images }) => {
      const w = window as unknown as LibraryWindow;
      const lib = await w.siglip.openLibrary('spec-abort');
      await lib.clear();
      // 26 distinct photos: the fixture images and a re-encoded copy of each (different bytes).
      const files = await w.photos(images);
      const copies = files.map((f, i) => new File([f, new Uint8Array([i])], `copy-${f.name}`, { type: f.type }));
      const all = [...files, ...copies];
      const controller = new AbortController();
      let code = 'resolved';
      try {
        await lib.add(all, { signal: controller.signal, onProgress: (p) => { if (p.done >= 8) controller.abort(); } });
      } catch (e) {
        code = (e as { code: string }).code;
      }
      const afterAbort = await lib.count();
      const listed = await lib.list();
      const embeddingsOk = (await Promise.all(listed.map((p) => lib.get(p.id)))).every((p) => p?.embedding?.length === 128);
      const rest = await lib.add(all);
      return { code, afterAbort, embeddingsOk, rest: { added: rest.added, skipped: rest.skipped, failed: rest.failed.length }, count: await lib.count(), total: all.length };
    }, { images: IMAGES });
    console.log(`abort: ${r.afterAbort} of ${r.total} stored at abort`);
    expect(r.code).toBe('ABORTED');
    expect(r.afterAbort).toBeGreaterThanOrEqual(8);
    expect(r.afterAbort).toBeLessThan(r.total);
    expect(r.embeddingsOk).toBe(true);
    expect(r.rest.added + r.rest.skipped).toBe(r.total);
    expect(r.rest.skipped).toBe(r.afterAbort);
    expect(r.count).toBe(r.total);
  });

  test('inline mode reads the same library without re-embedding; another dtype is a LIBRARY_MISMATCH', async () => {
    const r = await page.evaluate(async () => {
      const w = window as unknown as LibraryWindow;
      const worker = (await w.lib.search('a blue square', { template: false, k: 5 })).map((h) => h.id);
      const inline = await w.SiglipWeb.createSiglip({ model: w.harness.fixture('siglip-shapes/'), worker: false });
      const lib = await w.SiglipWeb.openLibrary(inline, 'spec-basic');
      const same = (await lib.search('a blue square', { template: false, k: 5 })).map((h) => h.id);
      const count = await lib.count();
      await inline.dispose();
      const q8 = await w.SiglipWeb.createSiglip({ model: w.harness.fixture('siglip-shapes/'), dtype: 'q8' });
      let error: { code?: string; message?: string } = {};
      try {
        await q8.openLibrary('spec-basic');
      } catch (e) {
        error = { code: (e as { code: string }).code, message: (e as Error).message };
      }
      const fresh = await q8.openLibrary('spec-q8');
      await fresh.clear();
      await q8.dispose();
      return { worker, same, count, error };
    });
    expect(r.same).toEqual(r.worker);
    expect(r.count).toBe(IMAGES.length);
    expect(r.error.code).toBe('LIBRARY_MISMATCH');
    expect(r.error.message).toContain('fp32');
  });
});
