import { describe, expect, it } from 'vitest';
import { SiglipError } from '../../../src/errors.js';
import { memorySource } from '../../../src/onnx/byte-source.js';
import { readLogitParamsFromSource } from '../../../src/onnx/onnx-scalars.js';
import { dot, l2Normalize, sigmoid, sigmoidScores, siglipLogits, softmax, topk } from '../../../src/scores/scores.js';
import { fixtureBytes, fixtureJson } from '../onnx/fixture-fetch.js';

interface EmbeddingsRef {
  logit_scale_raw: number;
  logit_scale_exp: number;
  logit_bias: number;
  images: string[];
  input_ids: number[][];
  image_embeds_raw: number[][];
  image_embeds_normalized: number[][];
  text_embeds_raw: number[][];
  text_embeds_normalized: number[][];
  logits_per_image: number[][];
}

interface ZeroShotCase {
  image: string;
  candidate_labels: string[];
  input_ids: number[][];
  output: Array<{ label: string; score: number }>;
  logits_per_image: number[];
  scores_in_label_order: number[];
}

interface ClsCase {
  logits: number[];
  softmax_float64_of_logits: number[];
  pipeline_top5: Array<{ label: string; score: number }>;
}

const REFS = [
  { emb: 'reference/embeddings.json', zs: 'reference/zero_shot.json', onnx: 'siglip-shapes/onnx/model.onnx', imagePrefix: '' },
  { emb: 'family/reference-siglip2/embeddings.json', zs: 'family/reference-siglip2/zero_shot.json', onnx: 'family/siglip2-shapes/onnx/model.onnx', imagePrefix: '' },
  { emb: 'family/reference-384/embeddings.json', zs: undefined, onnx: 'family/siglip-384-random/onnx/model.onnx', imagePrefix: '' },
];

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('score primitives', () => {
  it('sigmoid is stable and symmetric for any |x|', () => {
    expect(sigmoid(0)).toBe(0.5);
    for (const x of [1e-8, 0.3, 2, 15, 40, 700, 1e6, Infinity]) {
      expect(Number.isNaN(sigmoid(x)) || Number.isNaN(sigmoid(-x))).toBe(false);
      expect(sigmoid(x) + sigmoid(-x)).toBeCloseTo(1, 15);
    }
    expect(sigmoid(-800)).toBeGreaterThanOrEqual(0);
    expect(sigmoid(-50)).toBeGreaterThan(0);
    expect(sigmoid(-50) / Math.exp(-50)).toBeCloseTo(1, 12);
    for (const x of [-5, -1, 0.5, 3]) expect(sigmoid(x)).toBeCloseTo(1 / (1 + Math.exp(-x)), 15);
  });

  it('l2Normalize gives unit vectors and leaves zero vectors at zero', () => {
    const v = l2Normalize(Float32Array.from([3, 4, 12]));
    expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 6);
    expect(v[0] / v[1]).toBeCloseTo(3 / 4, 6);
    expect(Array.from(l2Normalize(new Float32Array(4)))).toEqual([0, 0, 0, 0]);
  });

  it('dot rejects vectors of different models', () => {
    expect(() => dot([1, 2], [1, 2, 3])).toThrow(SiglipError);
  });

  it('softmax is shift-invariant, sums to 1 and survives huge logits', () => {
    const a = softmax([1, 2, 3]);
    const b = softmax([1001, 1002, 1003]);
    expect(maxAbs(a, b)).toBeLessThan(1e-15);
    expect(a.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 15);
    expect(Array.from(softmax([-Infinity, 0]))).toEqual([0, 1]);
    expect(Array.from(softmax([Infinity, 1, Infinity]))).toEqual([0.5, 0, 0.5]);
    expect(softmax([]).length).toBe(0);
  });

  it('topk sorts descending, keeps label order on ties, puts NaN last and clamps k', () => {
    const labels = ['a', 'b', 'c', 'd', 'e'];
    const r = topk([0.2, 0.9, 0.2, NaN, 0.9], labels);
    expect(r.map((x) => x.label)).toEqual(['b', 'e', 'a', 'c', 'd']);
    expect(topk([0.2, 0.9, 0.2, NaN, 0.9], labels, 2).map((x) => x.label)).toEqual(['b', 'e']);
    expect(topk([1, 2], ['x', 'y'], 10).length).toBe(2);
    expect(topk([1, 2], ['x', 'y'], 0)).toEqual([]);
    expect(() => topk([1], ['x', 'y'])).toThrow(SiglipError);
  });

  it('sigmoidScores maps each logit independently', () => {
    const logits = [-3, 0, 2.5];
    expect(Array.from(sigmoidScores(logits))).toEqual(logits.map(sigmoid));
  });
});

describe('matches Python transformers', () => {
  for (const ref of REFS) {
    it(`${ref.emb}: normalize + logits from raw embeddings`, () => {
      const e = fixtureJson<EmbeddingsRef>(ref.emb);
      const img = e.image_embeds_raw.map(l2Normalize);
      const txt = e.text_embeds_raw.map(l2Normalize);
      let dNorm = 0;
      img.forEach((v, i) => (dNorm = Math.max(dNorm, maxAbs(v, e.image_embeds_normalized[i]))));
      txt.forEach((v, i) => (dNorm = Math.max(dNorm, maxAbs(v, e.text_embeds_normalized[i]))));
      expect(dNorm).toBeLessThan(1e-7);

      const logits = siglipLogits(img, txt, e.logit_scale_exp, e.logit_bias);
      let dLogit = 0;
      let dScore = 0;
      logits.forEach((row, i) => {
        dLogit = Math.max(dLogit, maxAbs(row, e.logits_per_image[i]));
        dScore = Math.max(dScore, maxAbs(sigmoidScores(row), e.logits_per_image[i].map(sigmoid)));
      });
      expect(dLogit).toBeLessThan(1e-5);
      expect(dScore).toBeLessThan(2e-6);
    });

    it(`${ref.emb}: same logits with the scalars read from ${ref.onnx}`, async () => {
      const e = fixtureJson<EmbeddingsRef>(ref.emb);
      const p = await readLogitParamsFromSource(memorySource(fixtureBytes(ref.onnx)));
      const logits = siglipLogits(e.image_embeds_raw.map(l2Normalize), e.text_embeds_raw.map(l2Normalize), p.logitScaleExp, p.logitBias);
      let d = 0;
      logits.forEach((row, i) => (d = Math.max(d, maxAbs(row, e.logits_per_image[i]))));
      expect(d).toBeLessThan(1e-5);
    });

    if (ref.zs === undefined) continue;
    const zsFile = ref.zs;
    it(`${zsFile}: zero-shot logits/scores for the image-text pairs also in ${ref.emb}`, () => {
      const e = fixtureJson<EmbeddingsRef>(ref.emb);
      const zs = fixtureJson<{ cases: ZeroShotCase[] }>(zsFile);
      const textIndex = new Map(e.input_ids.map((ids, i) => [ids.join(','), i]));
      let pairs = 0;
      let dLogit = 0;
      let dScore = 0;
      for (const c of zs.cases) {
        const imgIdx = e.images.indexOf(c.image);
        if (imgIdx < 0) continue;
        const imgEmb = l2Normalize(e.image_embeds_raw[imgIdx]);
        c.input_ids.forEach((ids, j) => {
          const t = textIndex.get(ids.join(','));
          if (t === undefined) return;
          const [row] = siglipLogits([imgEmb], [l2Normalize(e.text_embeds_raw[t])], e.logit_scale_exp, e.logit_bias);
          dLogit = Math.max(dLogit, Math.abs(row[0] - c.logits_per_image[j]));
          dScore = Math.max(dScore, Math.abs(sigmoidScores(row)[0] - c.scores_in_label_order[j]));
          pairs++;
        });
      }
      expect(pairs).toBeGreaterThanOrEqual(2);
      expect(dLogit).toBeLessThan(1e-5);
      expect(dScore).toBeLessThan(2e-6);
    });

    it(`${zsFile}: topk reproduces the pipeline's order (stable on ties)`, () => {
      const zs = fixtureJson<{ cases: ZeroShotCase[] }>(zsFile);
      for (const c of zs.cases) {
        const ours = topk(sigmoidScores(c.logits_per_image), c.candidate_labels);
        expect(ours.map((x) => x.label)).toEqual(c.output.map((x) => x.label));
        expect(maxAbs(ours.map((x) => x.score), c.output.map((x) => x.score))).toBeLessThan(2e-6);
      }
    });
  }

  it('reference-cls: float64 softmax and pipeline top-5', () => {
    const cls = fixtureJson<{ id2label: Record<string, string>; cases: ClsCase[] }>('family/reference-cls/classification.json');
    const labels = Object.keys(cls.id2label)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => cls.id2label[k]);
    expect(cls.cases.length).toBeGreaterThan(0);
    for (const c of cls.cases) {
      const probs = softmax(c.logits);
      expect(maxAbs(probs, c.softmax_float64_of_logits)).toBeLessThan(1e-12);
      const top = topk(probs, labels, 5);
      expect(top.map((x) => x.label)).toEqual(c.pipeline_top5.map((x) => x.label));
      expect(maxAbs(top.map((x) => x.score), c.pipeline_top5.map((x) => x.score))).toBeLessThan(1e-6);
    }
  });
});
