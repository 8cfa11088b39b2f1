/** Shared setup for the photo-library specs: the fixture model, its images and Python's numbers. */
import { expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

export const REF = 'test/fixtures/reference';
export const embeddings = JSON.parse(readFileSync(`${REF}/embeddings.json`, 'utf8')) as {
  images: string[]; texts: string[]; image_embeds_raw: number[][]; image_embeds_normalized: number[][];
  text_embeds_normalized: number[][]; logits_per_image: number[][]; logit_scale_exp: number; logit_bias: number;
};

export interface LibraryWindow {
  SiglipWeb: typeof import('../../../src/index.js');
  harness: { fixture(path: string): string };
  siglip: import('../../../src/index.js').Siglip;
  lib: import('../../../src/index.js').PhotoLibrary;
  /** The fixture images as Files (name = file name). */
  photos(paths: string[]): Promise<File[]>;
}

/** Opens the harness page, loads the fixture model and opens library `name` (cleared when `fresh`). */
export async function openLibraryPage(page: Page, name: string, options: { fresh?: boolean; worker?: boolean; isolated?: boolean } = {}): Promise<void> {
  await page.goto(`${options.isolated === false ? '' : '/coi'}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
  await page.evaluate(async ({ name, fresh, worker }) => {
    const w = window as unknown as LibraryWindow;
    w.photos = async (paths) =>
      Promise.all(paths.map(async (p) => new File([await (await fetch(w.harness.fixture(`reference/${p}`))).blob()], p.split('/').pop() as string, { type: p.endsWith('.png') ? 'image/png' : 'image/jpeg', lastModified: 1_700_000_000_000 })));
    w.siglip = await w.SiglipWeb.createSiglip({ model: w.harness.fixture('siglip-shapes/'), worker });
    w.lib = await w.siglip.openLibrary(name);
    if (fresh) await w.lib.clear();
  }, { name, fresh: options.fresh ?? false, worker: options.worker ?? true });
}

/** Python's order of the fixture images for text j (descending logits), as image file names. */
export function pythonRanking(textIndex: number): string[] {
  const order = embeddings.images.map((img, i) => ({ img, logit: (embeddings.logits_per_image[i] as number[])[textIndex] as number }));
  order.sort((a, b) => b.logit - a.logit);
  return order.map((o) => o.img.split('/').pop() as string);
}

export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
