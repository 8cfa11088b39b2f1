/**
 * Photo library through the public API on the fixture model: dedupe, Python-equal rankings, tag
 * equal to classify, reload without re-embedding, bad files, abort.
 */
import { expect, test } from '@playwright/test';
import { embeddings, openLibraryPage, pythonRanking, type LibraryWindow } from './helpers/library-fixture.js';

const IMAGES = embeddings.images;
const NAMES = IMAGES.map((p) => p.split('/').pop() as string);

test.describe('photo library', () => {
  test('add stores each photo once, by content; search ranks like Python; tag equals classify', async ({ page }) => {
    await openLibraryPage(page, 'spec-basic', { fresh: true });
    const r = await page.evaluate(async ({ images }) => {
      const w = window as unknown as LibraryWindow;
      const files = await w.photos(images);
      const progress: number[] = [];
      const first = await w.lib.add(files, { onProgress: (p) => progress.push(p.done) });
      // The same bytes under another name, plus the whole set again.
      const renamed = new File([files[0] as File], 'copy-of-first.png', { type: 'image/png' });
      const again = await w.lib.add([...files, renamed]);
      const count = await w.lib.count();
      const hits = await w.lib.search('a red circle', { template: false, k: images.length });
      const labels = ['a red circle', 'a blue square', 'a green triangle', 'an orange star'];
      const tags = await w.lib.tag(labels, { topk: 3 });
      const classified = await w.siglip.classify(files, labels, { topk: 3 });
      const photo = await w.lib.get(first.ids[0] as string);
      return {
        first: { added: first.added, skipped: first.skipped, failed: first.failed.length, ids: first.ids },
        again: { added: again.added, skipped: again.skipped, ids: again.ids },
        count, progress,
        hits: hits.map((h) => h.name),
        tags: first.ids.map((id) => tags[id]), classified,
        photo: photo && { ...photo, embedding: photo.embedding ? photo.embedding.length : 0 },
      };
    }, { images: IMAGES });
    expect(r.first).toMatchObject({ added: IMAGES.length, skipped: 0, failed: 0 });
    expect(r.first.ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    expect(r.again.added).toBe(0);
    expect(r.again.skipped).toBe(IMAGES.length + 1);
    expect(r.again.ids[IMAGES.length]).toBe(r.first.ids[0]);
    expect(r.count).toBe(IMAGES.length);
    expect(r.progress[r.progress.length - 1]).toBe(IMAGES.length);
    expect(r.hits).toEqual(pythonRanking(0));
    expect(r.tags).toEqual(r.classified);
    expect(r.photo).toMatchObject({ id: r.first.ids[0], name: NAMES[0], type: 'image/png', embedding: embeddings.image_embeds_raw[0]?.length });
  });
});
