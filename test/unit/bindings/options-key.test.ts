import { describe, expect, it } from 'vitest';
import { identityKey, optionsKey } from '../../../src/bindings/shared/options-key.js';

describe('optionsKey', () => {
  it('ignores key order, callbacks, signals and undefined values', () => {
    const a = optionsKey({ model: 'm', dtype: 'q8', onProgress: () => undefined, signal: new AbortController().signal, device: undefined });
    const b = optionsKey({ dtype: 'q8', model: 'm' });
    expect(a).toBe(b);
  });

  it('distinguishes options that load a different model', () => {
    expect(optionsKey({ model: 'm', dtype: 'q8' })).not.toBe(optionsKey({ model: 'm', dtype: 'fp32' }));
    expect(optionsKey({ model: 'm' })).not.toBe(optionsKey({ model: 'n' }));
    expect(optionsKey({ numThreads: 1 })).not.toBe(optionsKey({ numThreads: 2 }));
  });

  it('serializes URLs by href and nested objects in key order', () => {
    expect(optionsKey({ workerUrl: new URL('https://x.test/w.js') })).toBe(optionsKey({ workerUrl: 'https://x.test/w.js' }));
    expect(optionsKey({ cache: { b: 1, a: 2 } })).toBe(optionsKey({ cache: { a: 2, b: 1 } }));
  });
});

describe('identityKey', () => {
  it('keys strings by value and objects by reference', () => {
    expect(identityKey('a.png')).toBe(identityKey('a.png'));
    const blob = { size: 1 };
    expect(identityKey(blob)).toBe(identityKey(blob));
    expect(identityKey(blob)).not.toBe(identityKey({ size: 1 }));
    expect(identityKey(null)).not.toBe(identityKey(undefined));
    expect(identityKey('1')).not.toBe(identityKey(1));
  });
});
