import { describe, expect, it } from 'vitest';
import { get, set, setMany } from 'idb-keyval';
import { guardStore, StoreTimeoutError } from '../../../src/cache/store-guard.js';
import { decodeBody, probeBodyFormat } from '../../../src/cache/body-format.js';
import { fakeStore } from './fake-idb-store.js';

/** Manual clock: the guard's deadlines fire when the test says so, not after real time. */
function manualTimers() {
  const timers = new Map<number, () => void>();
  let next = 0;
  return {
    setTimeout: (fn: () => void) => { timers.set(++next, fn); return next; },
    clearTimeout: (h: unknown) => { timers.delete(h as number); },
    fireAll: () => { const fns = [...timers.values()]; timers.clear(); fns.forEach((f) => f()); },
    pending: () => timers.size,
  };
}

describe('guarded IndexedDB store', () => {
  it('passes values through a store that works, and clears its deadline', async () => {
    const clock = manualTimers();
    const { store } = guardStore(fakeStore().store, { readTimeoutMs: 10, writeTimeoutMs: 10, ...clock });
    await set('k', 'v', store);
    expect(await get('k', store)).toBe('v');
    expect(clock.pending()).toBe(0);
  });

  it('rejects a transaction that never completes once its deadline passes, then fails fast', async () => {
    const clock = manualTimers();
    const guarded = guardStore(fakeStore({ hang: 'readwrite' }).store, { readTimeoutMs: 10, writeTimeoutMs: 20, ...clock });
    const write = set('k', new Blob(['x']), guarded.store);
    await Promise.resolve();
    clock.fireAll();
    await expect(write).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(write).rejects.toThrow(/readwrite transaction within 20 ms/);
    expect(guarded.brokenReason()).toMatch(/did not answer/);
    // Later calls do not wait for another deadline.
    await expect(get('k', guarded.store)).rejects.toBeInstanceOf(StoreTimeoutError);
    expect(clock.pending()).toBe(0);
  });

  it('reports the failing request error when the transaction error is null (WebKit)', async () => {
    const raw = fakeStore({ refuseBlobs: true }).store;
    await expect(setMany([['a', new Blob(['x'])]], raw)).rejects.toBeNull();
    const { store } = guardStore(raw);
    await expect(setMany([['a', new Blob(['x'])]], store)).rejects.toThrow(/Error preparing Blob\/File data/);
  });

  it('never rejects with null even when no request says why', async () => {
    const silent = (async () => { throw null; }) as unknown as Parameters<typeof guardStore>[0];
    const { store } = guardStore(silent);
    await expect(get('k', store)).rejects.toThrow(/without giving a reason/);
  });
});

describe('body format probe', () => {
  it('stores Blobs where the store takes them, and leaves nothing behind', async () => {
    const fake = fakeStore();
    expect(await probeBodyFormat(guardStore(fake.store).store)).toEqual({ format: 'blob' });
    expect(fake.data.size).toBe(0);
  });

  it('falls back to ArrayBuffers where Blobs are refused, saying why', async () => {
    const fake = fakeStore({ refuseBlobs: true });
    const probe = await probeBodyFormat(guardStore(fake.store).store);
    expect(probe.format).toBe('arraybuffer');
    expect(probe).toMatchObject({ blobRefusal: expect.stringMatching(/Error preparing Blob/) });
    expect(fake.data.size).toBe(0);
  });

  it('gives up (no persistent cache) when nothing can be written, without hanging', async () => {
    const clock = manualTimers();
    const { store } = guardStore(fakeStore({ hang: 'readwrite' }).store, { readTimeoutMs: 10, writeTimeoutMs: 10, ...clock });
    const probe = probeBodyFormat(store);
    await Promise.resolve();
    clock.fireAll();
    const result = await probe;
    expect(result.format).toBe('none');
    expect(result).toMatchObject({ reason: expect.stringMatching(/did not answer/) });
  });

  it('reads a body stored as an ArrayBuffer back as a Blob with the recorded type', async () => {
    const blob = decodeBody(new Uint8Array([1, 2, 3]).buffer, 'application/json');
    expect(blob?.size).toBe(3);
    expect(blob?.type).toBe('application/json');
    expect(decodeBody('not a body', 'x')).toBeUndefined();
  });
});
