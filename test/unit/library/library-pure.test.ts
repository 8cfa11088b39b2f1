import { describe, expect, it } from 'vitest';
import { appendRows, removeRows } from '../../../src/storage/library/chunk-layout.js';
import { decodeLibraryFile, encodeLibraryFile } from '../../../src/storage/library/library-file.js';
import { EmbeddingMatrix, tagRows, textScore } from '../../../src/scores/library-ranking.js';
import { l2Normalize, siglipLogits, sigmoidScores, topk } from '../../../src/scores/scores.js';
import { ProgressMeter } from '../../../src/client/library/progress-meter.js';

const rows = (n: number, dim: number, start = 0) => Float32Array.from({ length: n * dim }, (_, i) => start + i);

describe('embedding chunks', () => {
  it('fill the last chunk, then spill into new ones, keeping row order', () => {
    const first = appendRows(undefined, 0, { ids: ['a', 'b', 'c'], data: rows(3, 2) }, 2, 4);
    expect(first.chunks.map((c) => c.ids)).toEqual([['a', 'b', 'c']]);
    const second = appendRows(first.chunks[0], first.lastChunk, { ids: ['d', 'e', 'f', 'g', 'h', 'i'], data: rows(6, 2, 100) }, 2, 4);
    expect(second.chunks.map((c) => [c.chunk, c.ids])).toEqual([[0, ['a', 'b', 'c', 'd']], [1, ['e', 'f', 'g', 'h']], [2, ['i']]]);
    expect(second.chunkOfRow).toEqual([0, 1, 1, 1, 1, 2]);
    expect(second.lastChunk).toBe(2);
    expect(Array.from(new Float32Array(second.chunks[0]!.data))).toEqual([0, 1, 2, 3, 4, 5, 100, 101]);
    expect(Array.from(new Float32Array(second.chunks[2]!.data))).toEqual([110, 111]);
  });

  it('removing rows keeps the others, in order, with their own data', () => {
    const { chunks } = appendRows(undefined, 0, { ids: ['a', 'b', 'c'], data: rows(3, 2) }, 2, 8);
    const kept = removeRows(chunks[0]!, new Set(['b']), 2);
    expect(kept.ids).toEqual(['a', 'c']);
    expect(Array.from(new Float32Array(kept.data))).toEqual([0, 1, 4, 5]);
  });

  it('refuses rows that do not match the ids', () => {
    expect(() => appendRows(undefined, 0, { ids: ['a'], data: rows(2, 2) }, 2, 4)).toThrow(RangeError);
  });
});

describe('library file (.safetensors)', () => {
  const file = { model: 'm', ids: ['x', 'y'], names: ['x.jpg', null], dim: 3, embeddings: Float32Array.from([1, -2, 3.5, 0.25, 0, -1e-7]) };

  it('round-trips ids, names, model and the exact float32 matrix, with an 8-byte aligned header', async () => {
    const blob = encodeLibraryFile(file);
    const headerSize = Number(new DataView(await blob.slice(0, 8).arrayBuffer()).getBigUint64(0, true));
    expect(headerSize % 8).toBe(0);
    const back = await decodeLibraryFile(blob);
    expect(back).toMatchObject({ model: 'm', ids: ['x', 'y'], names: ['x.jpg', null], dim: 3 });
    expect(Array.from(back.embeddings)).toEqual(Array.from(file.embeddings));
  });

  it('names each problem with LIBRARY_FORMAT', async () => {
    const expectFormat = async (blob: Blob, text: RegExp) => {
      await expect(decodeLibraryFile(blob)).rejects.toMatchObject({ code: 'LIBRARY_FORMAT', message: expect.stringMatching(text) });
    };
    const good = encodeLibraryFile(file);
    await expectFormat(new Blob(['abc']), /too short/);
    await expectFormat(good.slice(0, good.size - 4), /truncated/);
    const withHeader = (header: object) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const size = new DataView(new ArrayBuffer(8));
      size.setBigUint64(0, BigInt(json.length), true);
      return new Blob([size.buffer, json, new Uint8Array(24)]);
    };
    const tensor = { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] };
    const meta = { format: 'siglip-web-library/1', model: 'm', ids: '["a","b"]', names: '[null,null]' };
    await expectFormat(withHeader({ embeddings: tensor }), /no __metadata__/);
    await expectFormat(withHeader({ __metadata__: { ...meta, format: 'other' }, embeddings: tensor }), /format/);
    await expectFormat(withHeader({ __metadata__: meta, embeddings: { ...tensor, dtype: 'F16' } }), /F16/);
    await expectFormat(withHeader({ __metadata__: { ...meta, ids: '["a"]' }, embeddings: tensor }), /ids/);
    // A repeated id (two copies of one photo) is read as written: import keeps its first row, as add() keeps the first copy.
    await expect(decodeLibraryFile(withHeader({ __metadata__: { ...meta, ids: '["a","a"]' }, embeddings: tensor }))).resolves.toMatchObject({ ids: ['a', 'a'] });
    await expect(decodeLibraryFile(withHeader({ __metadata__: meta, embeddings: tensor }))).resolves.toMatchObject({ ids: ['a', 'b'] });
  });
});

describe('ranking', () => {
  const dim = 3;
  const raw = Float32Array.from([1, 0, 0, 0, 2, 0, 1, 1, 0, 0, 0, 5]);
  const matrix = new EmbeddingMatrix(dim, 1);
  matrix.append(['a', 'b', 'c', 'd'], raw);

  it('nearest ranks by cosine, best first, ties in insertion order, any query scale', () => {
    const ranked = matrix.nearest(Float32Array.from([10, 10, 0]), 3);
    expect(ranked.map((r) => matrix.ids[r.row])).toEqual(['c', 'a', 'b']);
    expect(ranked[0]!.similarity).toBeCloseTo(1, 6);
    expect(ranked[1]!.similarity).toBeCloseTo(Math.SQRT1_2, 6);
    expect(matrix.rowOf('d')).toBe(3);
  });

  it('tag scores are the classify chain (normalize → logits → sigmoid → topk) on the same rows', () => {
    const labels = ['x', 'y'];
    const labelEmbeds = [l2Normalize([1, 0, 0]), l2Normalize([0, 1, 1])];
    const rowsNorm = [0, 1, 2, 3].map((r) => matrix.row(r));
    const expected = siglipLogits([0, 1, 2, 3].map((r) => l2Normalize(raw.subarray(r * dim, (r + 1) * dim))), labelEmbeds, 10, -5)
      .map((l) => topk(sigmoidScores(l), labels, 1));
    expect(tagRows(rowsNorm, labelEmbeds, labels, 10, -5, 1, undefined)).toEqual(expected);
    const thresholded = tagRows(rowsNorm, labelEmbeds, labels, 10, -5, undefined, 0.5);
    expect(thresholded.every((s) => s.every((x) => x.score >= 0.5))).toBe(true);
    expect(textScore(0.5, 10, -5)).toBe(sigmoidScores(Float32Array.from([10 * 0.5 - 5]))[0]);
  });
});

describe('progress', () => {
  it('counts outcomes and derives rate and ETA from the clock it is given', () => {
    let t = 0;
    const meter = new ProgressMeter(100, () => t);
    t = 2000;
    meter.record('added', 8);
    meter.record('failed', 2);
    expect(meter.snapshot('x.jpg')).toEqual({ done: 10, total: 100, added: 8, skipped: 0, failed: 2, imagesPerSecond: 5, etaSeconds: 18, current: 'x.jpg' });
    const open = new ProgressMeter(undefined, () => t);
    open.record('skipped');
    expect(open.snapshot()).not.toHaveProperty('etaSeconds');
  });
});
