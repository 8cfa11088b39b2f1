/**
 * The fast paths of search and tag (WebAssembly SIMD scan, flat tag kernel, lazy id map, query
 * cache) must give exactly the numbers of the straightforward code they replace.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddingMatrix, tagRows, type RankedRow } from '../../../src/scores/library-ranking.js';
import { RowStore, scanRows } from '../../../src/scores/row-store.js';
import { simdScanModule } from '../../../src/scores/simd-scan.js';
import { l2Normalize, l2NormalizeInto, topk, topkSmall } from '../../../src/scores/scores.js';
import { TextQueryCache } from '../../../src/engine/text-query-cache.js';

/** Deterministic pseudo-random floats (xorshift), some rows repeated to force ties. */
function randomRows(n: number, dim: number, seed = 1): Float32Array {
  let x = seed;
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) / 2 ** 32 - 0.5) * 3;
  }
  for (let r = 3; r < n; r += 7) out.copyWithin(r * dim, 0, dim); // duplicates of row 0: equal similarity
  return out;
}

const ids = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** The search loop as it was before the scan moved into RowStore (4 sums, sorted insertion). */
function referenceNearest(rows: Float32Array, n: number, dim: number, query: Float32Array, k: number): RankedRow[] {
  const q = l2Normalize(query);
  const best: RankedRow[] = [];
  let worst = -Infinity;
  for (let r = 0; r < n; r++) {
    const row = l2Normalize(rows.subarray(r * dim, (r + 1) * dim));
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < dim; i += 4) {
      s0 += row[i]! * q[i]!;
      s1 += row[i + 1]! * q[i + 1]!;
      s2 += row[i + 2]! * q[i + 2]!;
      s3 += row[i + 3]! * q[i + 3]!;
    }
    for (; i < dim; i++) s0 += row[i]! * q[i]!;
    const sim = s0 + s1 + s2 + s3;
    const item = { row: r, similarity: sim };
    if (best.length >= k && !(sim > worst)) continue;
    if (best.length >= k) best.pop();
    let at = best.length;
    while (at > 0 && !(best[at - 1]!.similarity >= sim)) at--;
    best.splice(at, 0, item);
    worst = best[best.length - 1]!.similarity;
  }
  return best;
}

describe('row normalization', () => {
  it('the WebAssembly kernel writes exactly l2NormalizeInto of every row, also zero, NaN, infinite, tiny and huge rows', () => {
    const dim = 768;
    const n = 300;
    const raw = randomRows(n, dim, 7);
    raw.fill(0, 5 * dim, 6 * dim); // all zero: stays 0
    raw[7 * dim + 3] = NaN; // NaN anywhere: the row becomes NaN
    raw[9 * dim] = Infinity;
    raw[11 * dim + 100] = -Infinity;
    for (let i = 13 * dim; i < 14 * dim; i++) raw[i] = 1e-44 * ((i % 5) - 2); // subnormal floats
    for (let i = 15 * dim; i < 16 * dim; i++) raw[i] = 3e38 * ((i % 3) - 1); // squares overflow float32, not float64
    raw[17 * dim + 5] = -0;
    const expected = new Float32Array(n * dim);
    for (let r = 0; r < n; r++) l2NormalizeInto(raw, r * dim, dim, expected, r * dim);
    const store = new RowStore(dim, 16); // grows while appending
    store.reserve(41, 0);
    store.setNormalized(0, raw.subarray(0, 41 * dim)); // ten groups of four rows and one row alone
    store.reserve(n, 41);
    store.setNormalized(41, raw.subarray(41 * dim));
    const got = store.data.subarray(0, n * dim);
    const differing: number[] = [];
    for (let i = 0; i < n * dim; i++) if (!Object.is(got[i], expected[i])) differing.push(i);
    expect(differing).toEqual([]);
    expect(Array.from(got.subarray(5 * dim, 5 * dim + 3))).toEqual([0, 0, 0]);
    expect(Number.isNaN(got[7 * dim])).toBe(true);
    expect(Number.isNaN(got[9 * dim + 1])).toBe(true);
  });
});

describe('search scan', () => {
  it('WebAssembly SIMD is available in this runtime (otherwise only the fallback is tested)', () => {
    expect(simdScanModule()).not.toBeNull();
  });

  for (const dim of [768, 12, 4, 10, 3]) {
    it(`SIMD and JavaScript scans and the old loop agree bit for bit (dim ${dim})`, () => {
      const n = 517;
      const raw = randomRows(n, dim, dim);
      const query = randomRows(1, dim, 99);
      const fast = new EmbeddingMatrix(dim, 8); // small capacity: grows (wasm memory.grow) while appending
      const plain = new EmbeddingMatrix(dim, 8, false);
      for (let start = 0; start < n; start += 100) {
        const end = Math.min(n, start + 100);
        fast.append(ids(n).slice(start, end), raw.subarray(start * dim, end * dim));
        plain.append(ids(n).slice(start, end), raw.subarray(start * dim, end * dim));
      }
      for (const k of [1, 20, n + 5]) {
        const expected = referenceNearest(raw, n, dim, query, k);
        expect(fast.nearest(query, k)).toEqual(expected);
        expect(plain.nearest(query, k)).toEqual(expected);
      }
      for (let r = 0; r < n; r += 50) expect(Array.from(fast.row(r))).toEqual(Array.from(l2Normalize(raw.subarray(r * dim, (r + 1) * dim))));
    });
  }

  it('the kernel equals scanRows on every row, including zero and non-finite rows', () => {
    const dim = 16;
    const n = 40;
    const data = randomRows(n, dim, 7);
    data.fill(0, 5 * dim, 6 * dim);
    data[9 * dim + 3] = NaN;
    const store = new RowStore(dim, n);
    store.data.set(data);
    const q = l2Normalize(randomRows(1, dim, 3));
    const expected = new Float64Array(n);
    scanRows(data, q, n, dim, expected);
    expect(Array.from(store.similarities(q, n))).toEqual(Array.from(expected));
    expect(store.similarities(q, 0).length).toBe(0);
  });

  it('rejects a query of another dimension', () => {
    const m = new EmbeddingMatrix(8);
    m.append(['a'], new Float32Array(8).fill(1));
    expect(() => m.nearest(new Float32Array(4), 1)).toThrow(/dimensions/);
  });

  it('rowOf works before and after appends (the id map is built lazily)', () => {
    const m = new EmbeddingMatrix(4, 1);
    m.append(['a', 'b'], randomRows(2, 4));
    expect(m.rowOf('b')).toBe(1);
    m.append(['c'], randomRows(1, 4));
    expect(m.rowOf('c')).toBe(2);
    expect(m.rowOf('zz')).toBeUndefined();
  });
});

describe('tag over the matrix', () => {
  for (const nLabels of [10, 4, 3, 1]) {
    it(`equals tagRows, the classify chain (${nLabels} labels)`, () => {
      const dim = 24;
      const n = 300;
      const raw = randomRows(n, dim, 5);
      const m = new EmbeddingMatrix(dim, n);
      m.append(ids(n), raw);
      const labels = ids(nLabels, 'label ');
      const labelRows = randomRows(nLabels, dim, 11);
      const labelEmbeds = labels.map((_, j) => l2Normalize(labelRows.subarray(j * dim, (j + 1) * dim)));
      const all = Array.from({ length: n }, (_, r) => m.row(r).slice());
      for (const [topkArg, threshold] of [[undefined, undefined], [3, undefined], [1, 0.5], [0, undefined], [99, 0.2]] as const) {
        const expected = tagRows(all, labelEmbeds, labels, 11.7, -9.3, topkArg, threshold);
        expect(m.tag(undefined, labelEmbeds, labels, 11.7, -9.3, topkArg, threshold)).toEqual(expected);
      }
      const subset = [7, 3, 299, 0, 3];
      expect(m.tag(subset, labelEmbeds, labels, 11.7, -9.3, 2, undefined)).toEqual(tagRows(subset.map((r) => all[r]!), labelEmbeds, labels, 11.7, -9.3, 2, undefined));
    });
  }

  it('duplicate labels tie and keep label order, as classify', () => {
    const m = new EmbeddingMatrix(4);
    m.append(['a'], Float32Array.from([1, 2, 3, 4]));
    const e = l2Normalize([1, 1, 0, 0]);
    const labels = ['x', 'y', 'x', 'z', 'y'];
    const embeds = [e, l2Normalize([0, 0, 1, 1]), e, e, l2Normalize([0, 0, 1, 1])];
    expect(m.tag(undefined, embeds, labels, 10, -5, undefined, undefined)).toEqual(tagRows([m.row(0)], embeds, labels, 10, -5, undefined, undefined));
  });
});

describe('topkSmall', () => {
  it('is topk for ties, NaN and any k', () => {
    const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
    const order = new Int32Array(labels.length);
    const cases = [
      [0.5, 0.5, 0.9, NaN, 0.1, 0.5],
      [NaN, NaN, 0, 0, 1, NaN],
      [-Infinity, 0, -Infinity, NaN, Infinity, 0],
      [0.2, 0.1, 0.3, 0.3, 0.2, 0.1],
    ];
    for (const scores of cases) {
      for (const k of [0, 1, 3, 6, 10, 2.7, -1, NaN]) {
        expect(topkSmall(Float64Array.from(scores), labels, k, order)).toEqual(topk(Float64Array.from(scores), labels, k));
      }
    }
  });
});

describe('text query cache', () => {
  it('keys on model, dtype, template and text, and evicts the least recently used', () => {
    const cache = new TextQueryCache(2);
    const k = (t: string, tpl: string | false = 'This is a photo of {}.') => TextQueryCache.key('m', 'q8', tpl, t);
    expect(k('x', false)).not.toBe(k('x', '\u0001'));
    expect(TextQueryCache.key('m', 'q8', false, 'x')).not.toBe(TextQueryCache.key('m', 'fp32', false, 'x'));
    const a = Float32Array.of(1);
    cache.set(k('a'), a);
    cache.set(k('b'), Float32Array.of(2));
    expect(cache.get(k('a'))).toBe(a); // a is now the most recent
    cache.set(k('c'), Float32Array.of(3));
    expect(cache.get(k('b'))).toBeUndefined();
    expect(cache.get(k('a'))).toBe(a);
    expect(cache.get(k('c'))).toBeDefined();
  });
});
