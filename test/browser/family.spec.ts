/**
 * The rest of the SigLIP family (test/fixtures/family), through the same public API:
 *  - SiglipForImageClassification head: softmax over config.id2label, Python's top-5.
 *  - SigLIP 2-style checkpoint with a Gemma tokenizer: no canonicalization, eos from the
 *    post-processor, padding side from tokenizer_config; zero-shot scores and embeddings.
 *  - 384-px / patch-14 geometry: pixel values at 384 and embeddings.
 * Tolerances as in conformance.spec.ts: ids and pixels exact; scores, probabilities and
 * embeddings ≤ 1e-4 absolute (fp32 ONNX vs PyTorch differ by ~1e-5).
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

const FAM = 'test/fixtures/family';
const TOL = 1e-4;
const read = (p: string) => JSON.parse(readFileSync(`${FAM}/${p}`, 'utf8'));

interface Harness {
  SiglipWeb: typeof import('../../src/index.js');
  harness: { fixture(path: string): string };
}
type W = Harness & { siglip: import('../../src/index.js').Siglip };

// Reference paths are relative to family/reference-<name>/; make them relative to test/fixtures/.
const fixturePath = (refDir: string, p: string) => new URL(p, `http://x/family/${refDir}/`).pathname.slice(1);

async function open(page: Page, model: string): Promise<void> {
  await page.goto('/coi/test/browser/pages/harness.html');
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
  await page.evaluate(async (model) => {
    const w = window as unknown as W;
    w.siglip = await w.SiglipWeb.createSiglip({ model: w.harness.fixture(model), device: 'wasm' });
  }, model);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('classification head: Python image-classification pipeline top-5 (softmax, id2label)', async ({ page }) => {
  const ref = read('reference-cls/classification.json') as {
    id2label: Record<string, string>;
    cases: { image: string; pipeline_top5: { label: string; score: number }[] }[];
  };
  await open(page, 'family/siglip-shapes-cls/');
  const info = await page.evaluate(() => (window as unknown as W).siglip.info);
  expect(info.task).toBe('image-classification');
  expect(info.labels).toEqual(Object.keys(ref.id2label).sort((a, b) => +a - +b).map((k) => ref.id2label[k]));
  const images = ref.cases.map((c) => fixturePath('reference-cls', c.image));
  const got = await page.evaluate(async (images) => {
    const w = window as unknown as W;
    return w.siglip.classify(images.map((i) => w.harness.fixture(i)));
  }, images);
  ref.cases.forEach((c, i) => {
    const mine = got[i]!;
    expect.soft(mine.map((s) => s.label), c.image).toEqual(c.pipeline_top5.map((s) => s.label));
    expect.soft(maxAbs(mine.map((s) => s.score), c.pipeline_top5.map((s) => s.score)), c.image).toBeLessThanOrEqual(TOL);
  });
  // Zero-shot-only features say so with a typed error, and the instance keeps working.
  const err = await page.evaluate(async () => {
    const w = window as unknown as W;
    try {
      await w.siglip.embedText('a red circle');
      return null;
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  });
  expect(err).toBe('MODEL_UNSUPPORTED');
  const again = await page.evaluate(async (img) => {
    const w = window as unknown as W;
    return (await w.siglip.classify(w.harness.fixture(img), { topk: 1 }))[0]?.label;
  }, images[0]!);
  expect(again).toBe(ref.cases[0]!.pipeline_top5[0]!.label);
});

test('SigLIP 2-style (Gemma tokenizer): ids, zero-shot scores and embeddings equal Python', async ({ page }) => {
  const zs = read('reference-siglip2/zero_shot.json') as {
    cases: { image: string; candidate_labels: string[]; hypothesis_template: string | null; texts: string[]; input_ids: number[][]; output: { label: string; score: number }[]; scores_in_label_order: number[] }[];
  };
  const emb = read('reference-siglip2/embeddings.json') as { images: string[]; texts: string[]; image_embeds_raw: number[][]; text_embeds_raw: number[][] };
  await open(page, 'family/siglip2-shapes/');
  for (const c of zs.cases) {
    const out = await page.evaluate(async ({ image, labels, template, texts }) => {
      const w = window as unknown as W;
      const tp = await w.SiglipWeb.SiglipTextProcessor.fromPretrained(w.harness.fixture('family/siglip2-shapes/'));
      const ids = tp.encode(texts, { template: false }).inputIds;
      const scores = await w.siglip.classify(w.harness.fixture(image), labels, template ? { template } : {});
      return { ids, scores };
    }, { image: fixturePath('reference-siglip2', c.image), labels: c.candidate_labels, template: c.hypothesis_template, texts: c.texts });
    expect.soft(out.ids, `${c.image} ids`).toEqual(c.input_ids);
    expect.soft(out.scores[0]?.label, `${c.image} top`).toBe(c.output[0]?.label);
    const byLabel = new Map(out.scores.map((s) => [s.label, s.score]));
    const worst = Math.max(...c.candidate_labels.map((l, i) => Math.abs((byLabel.get(l) ?? NaN) - c.scores_in_label_order[i]!)));
    expect.soft(worst, `${c.image} scores`).toBeLessThanOrEqual(TOL);
  }
  const got = await page.evaluate(async ({ images, texts }) => {
    const w = window as unknown as W;
    const img = await w.siglip.embedImage(images.map((i) => w.harness.fixture(i)), { normalize: false });
    const txt = await w.siglip.embedText(texts, { normalize: false });
    return { img: img.map((e) => Array.from(e)), txt: txt.map((e) => Array.from(e)) };
  }, { images: emb.images.map((p) => fixturePath('reference-siglip2', p)), texts: emb.texts });
  emb.images.forEach((p, i) => expect.soft(maxAbs(got.img[i]!, emb.image_embeds_raw[i]!), p).toBeLessThanOrEqual(TOL));
  emb.texts.forEach((t, i) => expect.soft(maxAbs(got.txt[i]!, emb.text_embeds_raw[i]!), JSON.stringify(t)).toBeLessThanOrEqual(TOL));
});

test('384-px / patch-14: pixel values and embeddings equal Python', async ({ page }) => {
  const emb = read('reference-384/embeddings.json') as {
    pixel_values: { image: string; file: string }[];
    pil_float32_value_of_uint8: number[];
    texts: string[];
    image_embeds_raw: number[][];
    text_embeds_raw: number[][];
  };
  await open(page, 'family/siglip-384-random/');
  const info = await page.evaluate(() => (window as unknown as W).siglip.info);
  expect(info.imageSize).toEqual({ width: 384, height: 384 });
  const images = emb.pixel_values.map((p) => fixturePath('reference-384', p.image));
  const got = await page.evaluate(async ({ images, texts, files, table }) => {
    const w = window as unknown as W;
    const ip = await w.SiglipWeb.SiglipImageProcessor.fromPretrained(w.harness.fixture('family/siglip-384-random/'));
    const pixelDiffs: number[] = [];
    for (let i = 0; i < images.length; i++) {
      const { pixelValues, dims } = await ip.process(w.harness.fixture(images[i]!));
      if (dims.join() !== '1,3,384,384') throw new Error(`dims ${dims.join()}`);
      const u8 = new Uint8Array(await (await fetch(w.harness.fixture(files[i]!))).arrayBuffer());
      let max = 0;
      for (let j = 0; j < u8.length; j++) max = Math.max(max, Math.abs(pixelValues[j]! - table[u8[j]!]!));
      pixelDiffs.push(max);
    }
    const img = await w.siglip.embedImage(images.map((i) => w.harness.fixture(i)), { normalize: false });
    const txt = await w.siglip.embedText(texts, { normalize: false });
    return { pixelDiffs, img: img.map((e) => Array.from(e)), txt: txt.map((e) => Array.from(e)) };
  }, { images, texts: emb.texts, files: emb.pixel_values.map((p) => `family/reference-384/${p.file}`), table: emb.pil_float32_value_of_uint8 });
  got.pixelDiffs.forEach((d, i) => expect.soft(d, `pixels ${images[i]}`).toBe(0));
  images.forEach((p, i) => expect.soft(maxAbs(got.img[i]!, emb.image_embeds_raw[i]!), p).toBeLessThanOrEqual(TOL));
  emb.texts.forEach((t, i) => expect.soft(maxAbs(got.txt[i]!, emb.text_embeds_raw[i]!), JSON.stringify(t)).toBeLessThanOrEqual(TOL));
});
