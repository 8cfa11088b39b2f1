/**
 * transformers.js-shaped `pipeline()` for people migrating: same call shapes, Python's results.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

const zeroShot = JSON.parse(readFileSync('test/fixtures/reference/zero_shot.json', 'utf8')) as {
  cases: { image: string; candidate_labels: string[]; hypothesis_template: string | null; output: { label: string; score: number }[] }[];
};
const embeddings = JSON.parse(readFileSync('test/fixtures/reference/embeddings.json', 'utf8')) as {
  images: string[]; texts: string[]; image_embeds_raw: number[][]; text_embeds_raw: number[][];
};

interface Harness {
  SiglipWeb: typeof import('../../src/index.js');
  harness: { fixture(path: string): string };
}

test('pipeline() zero-shot, image- and text-feature-extraction match Python', async ({ page }) => {
  await page.goto('/test/browser/pages/harness.html');
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
  const cases = zeroShot.cases.filter((c) => c.hypothesis_template !== null).slice(0, 3);
  const r = await page.evaluate(async ({ cases, images, texts }) => {
    const { SiglipWeb, harness } = window as unknown as Harness;
    const model = harness.fixture('siglip-shapes/');
    const zs = await SiglipWeb.pipeline('zero-shot-image-classification', model);
    const zsOut = [];
    for (const c of cases) {
      zsOut.push(await zs(harness.fixture(`reference/${c.image}`), c.candidate_labels, { hypothesis_template: c.hypothesis_template ?? undefined, top_k: 2 }));
    }
    const batch = await zs([harness.fixture(`reference/${cases[0]!.image}`)], cases[0]!.candidate_labels, { hypothesis_template: cases[0]!.hypothesis_template ?? undefined });
    await zs.dispose();
    const img = await SiglipWeb.pipeline('image-feature-extraction', model);
    const imgOut = await img(images.map((i) => harness.fixture(`reference/${i}`)));
    await img.dispose();
    const txt = await SiglipWeb.pipeline('feature-extraction', model);
    const txtOut = await txt(texts);
    const txtNorm = await txt(texts[0]!, { normalize: true });
    await txt.dispose();
    let bad = '';
    try {
      await SiglipWeb.pipeline('text-generation' as 'feature-extraction', model);
    } catch (e) {
      bad = (e as { code?: string }).code ?? '';
    }
    return { zsOut, batchLen: batch.length, img: { dims: imgOut.dims, rows: imgOut.tolist() }, txt: { dims: txtOut.dims, rows: txtOut.tolist() }, norm: Math.hypot(...Array.from(txtNorm.data)), bad };
  }, { cases, images: embeddings.images.slice(0, 3), texts: embeddings.texts.slice(0, 4) });

  cases.forEach((c, i) => {
    const got = r.zsOut[i]!;
    expect(got).toHaveLength(2);
    expect(got.map((s) => s.label)).toEqual(c.output.slice(0, 2).map((s) => s.label));
    got.forEach((s, j) => expect(Math.abs(s.score - c.output[j]!.score)).toBeLessThanOrEqual(1e-4));
  });
  expect(r.batchLen).toBe(1);
  expect(r.img.dims).toEqual([3, embeddings.image_embeds_raw[0]!.length]);
  r.img.rows.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - embeddings.image_embeds_raw[i]![j]!)).toBeLessThanOrEqual(1e-4)));
  expect(r.txt.dims).toEqual([4, embeddings.text_embeds_raw[0]!.length]);
  r.txt.rows.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - embeddings.text_embeds_raw[i]![j]!)).toBeLessThanOrEqual(1e-4)));
  expect(r.norm).toBeCloseTo(1, 5);
  expect(r.bad).toBe('INVALID_INPUT');
});
