/**
 * add() streams photos to the engine in batches; the first ones are small so the vision pass starts
 * after one photo's preprocessing, and batches never exceed the vision batch.
 */
import { describe, expect, it } from 'vitest';
import type { LibraryOp } from '../../../src/protocol/library-wire.js';
import { ADD_BATCH, ADD_DEPTH, PhotoLibraryClient, addBatchSize } from '../../../src/client/library/photo-library.js';

describe('add() batches', () => {
  it('grow 1, 2, 4, then stay at ADD_BATCH', () => {
    expect(Array.from({ length: 7 }, (_, n) => addBatchSize(n))).toEqual([1, 2, 4, ADD_BATCH, ADD_BATCH, ADD_BATCH, ADD_BATCH]);
    expect(addBatchSize(1000)).toBe(ADD_BATCH);
  });

  it('an add of 30 photos sends batches of 1, 2, 4, 8, 8, 7 with at most ADD_DEPTH in flight, and reports in source order', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const call = (async (_name: string, op: LibraryOp) => {
      if (op.op !== 'add') return null;
      sizes.push(op.items.length);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return op.items.map((it) => ({ status: 'added', id: it.id as string }));
    }) as unknown as ConstructorParameters<typeof PhotoLibraryClient>[1];
    const lib = new PhotoLibraryClient('t', call);
    const sources = Array.from({ length: 30 }, (_, i) => ({ blob: new Blob([String(i)]), id: `id${i}` }));
    const report = await lib.add(sources);
    expect(sizes).toEqual([1, 2, 4, 8, 8, 7]);
    expect(maxInFlight).toBeLessThanOrEqual(ADD_DEPTH);
    expect(report.added).toBe(30);
    expect(report.ids).toEqual(sources.map((s) => s.id));
  });
});
