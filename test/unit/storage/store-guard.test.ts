import { describe, expect, it } from 'vitest';
import { get, set, setMany } from 'idb-keyval';
import { guardStore, StoreTimeoutError } from '../../../src/storage/store-guard.js';
import { decodeBody, probeBodyFormat } from '../../../src/storage/body-format.js';
import { fakeStore } from './fake-idb-store.js';

/** Manual clock: the guard's deadlines advance when the test says so, not with real time. */
function manualTimers() {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 0;
  let time = 0;
  return {
    now: () => time,
    setTimeout: (fn: () => void, ms: number) => { timers.set(++next, { fn, ms }); return next; },
    clearTimeout: (h: unknown) => { timers.delete(h as number); },
    /** Lets `ms` pass; `blocked` means the thread was busy, so all of it passes before one tick runs. */
    advance: (ms: number, blocked = false) => {
      for (let left = ms; left > 0 && timers.size;) {
        const [[id, t]] = [...timers];
        const step = blocked ? left : Math.min(left, t.ms);
        time += step;
        left -= step;
        timers.delete(id);
        t.fn();
      }
    },
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
    write.catch(() => undefined);
    await Promise.resolve();
    clock.advance(10);
    expect(guarded.brokenReason()).toBeUndefined();
    clock.advance(10);
    await expect(write).rejects.toBeInstanceOf(StoreTimeoutError);
    await expect(write).rejects.toThrow(/readwrite transaction within 20 ms/);
    expect(guarded.brokenReason()).toMatch(/did not answer/);
    // Later calls do not wait for another deadline.
    await expect(get('k', guarded.store)).rejects.toBeInstanceOf(StoreTimeoutError);
    expect(clock.pending()).toBe(0);
  });

  it('does not count time during which the thread was blocked (a synchronous session creation)', async () => {
    const clock = manualTimers();
    const guarded = guardStore(fakeStore({ hang: 'readonly' }).store, { readTimeoutMs: 2000, writeTimeoutMs: 2000, ...clock });
    const read = get('k', guarded.store);
    read.catch(() => undefined);
    await Promise.resolve();
    clock.advance(30_000, true);
    expect(guarded.brokenReason()).toBeUndefined();
    clock.advance(2000);
    await expect(read).rejects.toBeInstanceOf(StoreTimeoutError);
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
    clock.advance(10);
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
