import { SiglipError } from '../errors.js';

/**
 * Score math shared by zero-shot (sigmoid, SigLIP's training loss) and image classification
 * heads (softmax, what transformers' pipeline applies to SiglipForImageClassification).
 * Sums run in float64 so results do not depend on the order of a few hundred float32 terms.
 */

export interface LabelScore {
  label: string;
  score: number;
}

function sameLength(a: { readonly length: number }, b: { readonly length: number }, what: string): void {
  if (a.length !== b.length) throw new SiglipError('INVALID_INPUT', `${what}: vectors have different lengths (${a.length} vs ${b.length}); were they produced by the same model?`);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  sameLength(a, b, 'dot');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * x / ||x||₂ as transformers does (`x / x.norm(dim=-1, keepdim=True)`). A zero vector stays zero
 * instead of becoming NaN, so one blank embedding cannot poison a whole score table.
 */
export function l2Normalize(v: ArrayLike<number>): Float32Array {
  const out = new Float32Array(v.length);
  l2NormalizeInto(v, 0, v.length, out, 0);
  return out;
}

/**
 * l2Normalize of v[from, from + length) written to out[at, at + length): the same arithmetic
 * without a new array, for normalizing many rows into one matrix.
 */
export function l2NormalizeInto(v: ArrayLike<number>, from: number, length: number, out: Float32Array, at: number): void {
  let ss = 0;
  for (let i = from; i < from + length; i++) ss += v[i] * v[i];
  if (ss === 0 || !Number.isFinite(ss)) {
    out.fill(Number.isFinite(ss) ? 0 : NaN, at, at + length);
    return;
  }
  const norm = Math.sqrt(ss);
  for (let i = 0; i < length; i++) out[at + i] = v[from + i] / norm;
}

/** 1 / (1 + e^-x) without overflow: for x < 0 the equivalent e^x / (1 + e^x) is used. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * logits_per_image[i][j] = logitScaleExp · (image_i · text_j) + logitBias, for embeddings that
 * are already L2-normalized. Rows are float32 like the model's own output, so downstream code sees
 * the same values as onnxruntime/PyTorch up to summation order.
 */
export function siglipLogits(
  imageEmbeds: readonly ArrayLike<number>[],
  textEmbeds: readonly ArrayLike<number>[],
  logitScaleExp: number,
  logitBias: number,
): Float32Array[] {
  if (!Number.isFinite(logitScaleExp) || !Number.isFinite(logitBias)) {
    throw new SiglipError('INVALID_INPUT', `logit scale/bias must be finite numbers (got ${logitScaleExp}, ${logitBias})`);
  }
  return imageEmbeds.map((img) => {
    const row = new Float32Array(textEmbeds.length);
    for (let j = 0; j < textEmbeds.length; j++) row[j] = logitScaleExp * dot(img, textEmbeds[j]) + logitBias;
    return row;
  });
}

/** Independent per-label probabilities (SigLIP zero-shot); they do not sum to 1 by design. */
export function sigmoidScores(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = sigmoid(logits[i]);
  return out;
}

/** Softmax with max subtraction so large logits cannot overflow exp. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  if (logits.length === 0) return out;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (max === Infinity || Number.isNaN(max)) {
    // exp(∞ − ∞) is NaN; the limit puts all mass on the infinite entries.
    let count = 0;
    for (let i = 0; i < logits.length; i++) if (logits[i] === Infinity) count++;
    for (let i = 0; i < logits.length; i++) out[i] = count > 0 ? (logits[i] === Infinity ? 1 / count : 0) : NaN;
    return out;
  }
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < logits.length; i++) out[i] /= sum;
  return out;
}

/**
 * Labels sorted by descending score. Ties keep label order, like Python's stable `sorted` used by
 * the transformers pipelines; NaN scores sort last. `k` omitted → all labels.
 */
export function topk(scores: ArrayLike<number>, labels: readonly string[], k?: number): LabelScore[] {
  sameLength(scores, labels, 'topk');
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scoreOrder(scores, a, b));
  const n = k === undefined ? order.length : Math.max(0, Math.min(Math.floor(k), order.length));
  return order.slice(0, n).map((i) => ({ label: labels[i], score: scores[i] }));
}

/**
 * topk's order as a comparator of label indices: descending score, NaN last, ties by index. It is
 * a strict total order, so every correct sort of the indices gives the same ranking.
 */
function scoreOrder(scores: ArrayLike<number>, a: number, b: number): number {
  const keyA = Number.isNaN(scores[a]) ? -Infinity : scores[a];
  const keyB = Number.isNaN(scores[b]) ? -Infinity : scores[b];
  const d = keyB - keyA;
  if (d !== 0 && !Number.isNaN(d)) return d;
  const nanA = Number.isNaN(scores[a]);
  const nanB = Number.isNaN(scores[b]);
  if (nanA !== nanB) return nanA ? 1 : -1;
  return a - b;
}

/**
 * Exactly topk(scores, labels, k) for callers ranking many short score vectors (tag over a whole
 * library): an insertion sort into a caller-owned index buffer instead of an array, a closure and
 * Array.prototype.sort per call. Same comparator, and a total order, so the same result.
 */
export function topkSmall(scores: ArrayLike<number>, labels: readonly string[], k: number, order: Int32Array): LabelScore[] {
  sameLength(scores, labels, 'topk');
  const len = scores.length;
  for (let i = 0; i < len; i++) {
    let j = i;
    while (j > 0 && scoreOrder(scores, order[j - 1] as number, i) > 0) {
      order[j] = order[j - 1] as number;
      j--;
    }
    order[j] = i;
  }
  const clamped = Math.max(0, Math.min(Math.floor(k), len));
  const n = Number.isNaN(clamped) ? 0 : clamped; // as slice(0, NaN) in topk
  const out: LabelScore[] = new Array<LabelScore>(n);
  for (let i = 0; i < n; i++) {
    const at = order[i] as number;
    out[i] = { label: labels[at] as string, score: scores[at] as number };
  }
  return out;
}
