import { describe, expect, it } from 'vitest';
import { chooseThreadCount, MAX_DEFAULT_THREADS } from '../../../src/backend/device-plan.js';
import { sharedMemoryWorks } from '../../../src/backend/thread-support.js';

describe('thread count handed to onnxruntime (and reported as info.threads)', () => {
  it('is 1 without working shared memory, even when more are requested', () => {
    expect(chooseThreadCount(undefined, false, 8)).toBe(1);
    expect(chooseThreadCount(4, false, 8)).toBe(1);
  });

  it('uses every core up to the cap when shared memory works', () => {
    expect(chooseThreadCount(undefined, true, 2)).toBe(2);
    expect(chooseThreadCount(undefined, true, 64)).toBe(MAX_DEFAULT_THREADS);
  });

  it('treats an unknown or nonsense core count as one core', () => {
    expect(chooseThreadCount(undefined, true, 0)).toBe(1);
    expect(chooseThreadCount(undefined, true, Number.NaN)).toBe(1);
  });

  it('honours an explicit numThreads when threads are possible', () => {
    expect(chooseThreadCount(3, true, 2)).toBe(3);
  });

  it('rejects a numThreads that is not a positive integer, isolated or not', () => {
    expect(() => chooseThreadCount(0, true, 4)).toThrow(/positive integer/);
    expect(() => chooseThreadCount(1.5, false, 4)).toThrow(/positive integer/);
  });
});

describe('shared memory probe', () => {
  it('says no when SharedArrayBuffer is missing although WebAssembly exists (WebKitGTK under COOP/COEP)', () => {
    expect(sharedMemoryWorks({ WebAssembly })).toBe(false);
  });

  it('says no when shared WebAssembly memory cannot be created', () => {
    const NoShared = { Memory: class { constructor() { throw new TypeError('shared memory unsupported'); } } } as unknown as typeof WebAssembly;
    expect(sharedMemoryWorks({ SharedArrayBuffer, WebAssembly: NoShared })).toBe(false);
  });

  it('says yes where a shared memory really is a SharedArrayBuffer (Node has both)', () => {
    expect(sharedMemoryWorks({ SharedArrayBuffer, WebAssembly })).toBe(true);
  });
});
