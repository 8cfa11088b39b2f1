/**
 * Ranking over a library's embedding matrix. The matrix holds L2-normalized rows (exactly
 * `l2Normalize` of the stored raw features, as classify normalizes), so cosine is a dot product
 * and tag scores are classify's: tagRows is that chain itself (the reference, in tests), and the
 * matrix's own tag() repeats its arithmetic operation for operation over the flat rows.
 */
import { SiglipError } from '../errors.js';
import { RowStore } from './row-store.js';
import { l2Normalize, siglipLogits, sigmoid, sigmoidScores, topk as takeTopk, topkSmall, type LabelScore } from './scores.js';

export interface RankedRow {
  readonly row: number;
  readonly similarity: number;
}

/** Growable matrix of normalized rows with their ids. */
export class EmbeddingMatrix {
  private readonly store: RowStore;
  /** id → row, built on the first rowOf(): search never needs it, so reopening does not pay for it. */
  private rowById: Map<string, number> | undefined;
  readonly ids: string[] = [];

  /** `simd: false` forces the JavaScript scan (tests compare both paths). */
  constructor(readonly dim: number, capacity = 1024, simd = true) {
    this.store = new RowStore(dim, capacity, simd);
  }

  get count(): number {
    return this.ids.length;
  }

  /** Appends raw rows (normalizing each straight into the matrix), ids in the same order. */
  append(ids: readonly string[], raw: Float32Array): void {
    const d = this.dim;
    const first = this.ids.length;
    this.store.reserve(first + ids.length, first);
    this.store.setNormalized(first, raw.length === ids.length * d ? raw : raw.subarray(0, ids.length * d));
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      this.rowById?.set(id, first + i);
      this.ids.push(id);
    }
  }

  /** A view of one normalized row (valid until the next append). */
  row(index: number): Float32Array {
    return this.store.data.subarray(index * this.dim, (index + 1) * this.dim);
  }

  rowOf(id: string): number | undefined {
    if (!this.rowById) {
      this.rowById = new Map();
      this.ids.forEach((x, row) => this.rowById?.set(x, row));
    }
    return this.rowById.get(id);
  }

  /** The `k` rows most similar to `query` (any scale), best first; ties keep insertion order. */
  nearest(query: Float32Array, k: number): RankedRow[] {
    const sims = this.store.similarities(l2Normalize(query), this.ids.length);
    // Bounded insertion into the k best: after the first rows almost every row fails `sim > worst`.
    const best: RankedRow[] = [];
    let worst = -Infinity;
    for (let r = 0; r < sims.length; r++) {
      const sim = sims[r] as number;
      if (best.length < k) insertRanked(best, { row: r, similarity: sim });
      else if (sim > worst) {
        best.pop();
        insertRanked(best, { row: r, similarity: sim });
      } else continue;
      worst = (best[best.length - 1] as RankedRow).similarity;
    }
    return best;
  }

  /**
   * tag() over `rows` of this matrix (all rows when omitted): what tagRows returns for the same
   * rows, without a Float32Array per row.
   */
  tag(rows: readonly number[] | undefined, labelEmbeds: readonly Float32Array[], labels: readonly string[], logitScaleExp: number, logitBias: number, topk: number | undefined, threshold: number | undefined): LabelScore[][] {
    const count = rows ? rows.length : this.ids.length;
    return tagFlat(this.store.data, this.dim, count, rows ? (i) => rows[i] as number : (i) => i, labelEmbeds, labels, logitScaleExp, logitBias, topk, threshold);
  }
}

/** Rows and rounds of warmUpRanking: enough calls for the browser to tier the scan up, ~20 ms. */
const WARM_ROWS = 64;
const WARM_ROUNDS = 200;

/**
 * Scans a small throwaway matrix until the browser has optimized the scan and the top-k loop.
 * Their first call on a large library otherwise runs in the baseline tiers for its whole length
 * (100,000 rows: 68 ms against 18 ms once optimized); compiled code is shared by every matrix.
 */
export function warmUpRanking(dim: number): void {
  const matrix = new EmbeddingMatrix(dim, WARM_ROWS);
  const raw = new Float32Array(WARM_ROWS * dim);
  for (let i = 0; i < raw.length; i++) raw[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  matrix.append(Array.from({ length: WARM_ROWS }, (_, i) => String(i)), raw);
  const query = raw.subarray(0, dim);
  for (let i = 0; i < WARM_ROUNDS; i++) matrix.nearest(query, 20);
}

/** Keeps `list` sorted by descending similarity; an equal newcomer goes after the earlier rows. */
function insertRanked(list: RankedRow[], item: RankedRow): void {
  if (Number.isNaN(item.similarity)) {
    list.push(item);
    return;
  }
  let i = list.length;
  while (i > 0 && !((list[i - 1] as RankedRow).similarity >= item.similarity)) i--;
  list.splice(i, 0, item);
}

/** SigLIP's probability for a text query at cosine `similarity`. */
export function textScore(similarity: number, logitScaleExp: number, logitBias: number): number {
  return sigmoid(Math.fround(logitScaleExp * similarity + logitBias));
}

/**
 * Zero-shot scores for stored rows against normalized label embeddings: the same siglipLogits →
 * sigmoid → topk chain classify runs, so the numbers and order are identical.
 */
export function tagRows(
  rows: readonly Float32Array[],
  labelEmbeds: readonly Float32Array[],
  labels: readonly string[],
  logitScaleExp: number,
  logitBias: number,
  topk: number | undefined,
  threshold: number | undefined,
): LabelScore[][] {
  const logits = siglipLogits(rows, labelEmbeds, logitScaleExp, logitBias);
  return logits.map((row) => {
    const ranked = takeTopk(sigmoidScores(row), labels, topk ?? labels.length);
    return threshold === undefined ? ranked : ranked.filter((s) => s.score >= threshold);
  });
}

/**
 * The classify chain of tagRows on rows of a flat row-major matrix: for each row and label the
 * float64 dot product in index order (dot()), the float32 logit fround(scale·dot + bias)
 * (siglipLogits), sigmoid (sigmoidScores), then topk's order. Four labels share one pass over a
 * row: their sums are independent, so each keeps its own order of additions (same numbers) while
 * the CPU overlaps them, and a row is loaded once instead of once per label.
 */
function tagFlat(
  data: Float32Array,
  dim: number,
  count: number,
  rowAt: (i: number) => number,
  labelEmbeds: readonly Float32Array[],
  labels: readonly string[],
  logitScaleExp: number,
  logitBias: number,
  topk: number | undefined,
  threshold: number | undefined,
): LabelScore[][] {
  if (!Number.isFinite(logitScaleExp) || !Number.isFinite(logitBias)) {
    throw new SiglipError('INVALID_INPUT', `logit scale/bias must be finite numbers (got ${logitScaleExp}, ${logitBias})`);
  }
  for (const e of labelEmbeds) {
    if (e.length !== dim) throw new SiglipError('INVALID_INPUT', `dot: vectors have different lengths (${dim} vs ${e.length}); were they produced by the same model?`);
  }
  const nLabels = labelEmbeds.length;
  const scores = new Float64Array(nLabels);
  const order = new Int32Array(nLabels);
  const k = topk ?? labels.length;
  const logit = (s: number): number => sigmoid(Math.fround(logitScaleExp * s + logitBias));
  const out: LabelScore[][] = new Array<LabelScore[]>(count);
  for (let n = 0; n < count; n++) {
    const base = rowAt(n) * dim;
    let j = 0;
    for (; j + 3 < nLabels; j += 4) {
      const a = labelEmbeds[j] as Float32Array;
      const b = labelEmbeds[j + 1] as Float32Array;
      const c = labelEmbeds[j + 2] as Float32Array;
      const e = labelEmbeds[j + 3] as Float32Array;
      let sa = 0;
      let sb = 0;
      let sc = 0;
      let se = 0;
      for (let i = 0; i < dim; i++) {
        const x = data[base + i] as number;
        sa += x * (a[i] as number);
        sb += x * (b[i] as number);
        sc += x * (c[i] as number);
        se += x * (e[i] as number);
      }
      scores[j] = logit(sa);
      scores[j + 1] = logit(sb);
      scores[j + 2] = logit(sc);
      scores[j + 3] = logit(se);
    }
    for (; j < nLabels; j++) {
      const a = labelEmbeds[j] as Float32Array;
      let sa = 0;
      for (let i = 0; i < dim; i++) sa += (data[base + i] as number) * (a[i] as number);
      scores[j] = logit(sa);
    }
    const ranked = topkSmall(scores, labels, k, order);
    out[n] = threshold === undefined ? ranked : ranked.filter((s) => s.score >= threshold);
  }
  return out;
}
