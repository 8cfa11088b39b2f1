/**
 * Ranking over a library's embedding matrix. The matrix holds L2-normalized rows (exactly
 * `l2Normalize` of the stored raw features, as classify normalizes), so cosine is a dot product
 * and tag scores are computed by the very functions classify uses.
 */
import { l2Normalize, siglipLogits, sigmoid, sigmoidScores, topk as takeTopk, type LabelScore } from './scores.js';

export interface RankedRow {
  readonly row: number;
  readonly similarity: number;
}

/** Growable matrix of normalized rows with their ids. */
export class EmbeddingMatrix {
  private data: Float32Array;
  private readonly rowById = new Map<string, number>();
  readonly ids: string[] = [];

  constructor(readonly dim: number, capacity = 1024) {
    this.data = new Float32Array(Math.max(1, capacity) * dim);
  }

  get count(): number {
    return this.ids.length;
  }

  /** Appends raw rows (normalizing each), ids in the same order. */
  append(ids: readonly string[], raw: Float32Array): void {
    const d = this.dim;
    const needed = (this.ids.length + ids.length) * d;
    if (needed > this.data.length) {
      const grown = new Float32Array(Math.max(needed, this.data.length * 2));
      grown.set(this.data.subarray(0, this.ids.length * d));
      this.data = grown;
    }
    ids.forEach((id, i) => {
      const row = this.ids.length;
      this.data.set(l2Normalize(raw.subarray(i * d, (i + 1) * d)), row * d);
      this.rowById.set(id, row);
      this.ids.push(id);
    });
  }

  row(index: number): Float32Array {
    return this.data.subarray(index * this.dim, (index + 1) * this.dim);
  }

  rowOf(id: string): number | undefined {
    return this.rowById.get(id);
  }

  /** The `k` rows most similar to `query` (any scale), best first; ties keep insertion order. */
  nearest(query: Float32Array, k: number): RankedRow[] {
    const q = l2Normalize(query);
    const d = this.dim;
    const data = this.data;
    const n = this.ids.length;
    const best: RankedRow[] = [];
    let worst = -Infinity;
    for (let r = 0; r < n; r++) {
      const base = r * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i + 3 < d; i += 4) {
        s0 += (data[base + i] as number) * (q[i] as number);
        s1 += (data[base + i + 1] as number) * (q[i + 1] as number);
        s2 += (data[base + i + 2] as number) * (q[i + 2] as number);
        s3 += (data[base + i + 3] as number) * (q[i + 3] as number);
      }
      for (; i < d; i++) s0 += (data[base + i] as number) * (q[i] as number);
      const sim = s0 + s1 + s2 + s3;
      if (best.length < k) insertRanked(best, { row: r, similarity: sim });
      else if (sim > worst) {
        best.pop();
        insertRanked(best, { row: r, similarity: sim });
      } else continue;
      worst = (best[best.length - 1] as RankedRow).similarity;
    }
    return best;
  }
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
