import { SiglipError } from '../errors.js';
import type { CacheMode, SiglipOptions } from '../types.js';

/**
 * Validates the cache options on the page and starts `navigator.storage.persist()` there: it exists
 * only on Window (not in workers), and its answer never blocks or fails a load.
 */
export function cacheLoadOptions(options: SiglipOptions): { cache: CacheMode; verifyCache: boolean } {
  const cache = options.cache ?? 'indexeddb';
  if (cache !== 'indexeddb' && cache !== 'none') {
    throw new SiglipError('INVALID_INPUT', `cache must be 'indexeddb' or 'none', got ${String(cache)}`);
  }
  if (options.persistCache === true && cache === 'indexeddb') {
    const storage = (globalThis.navigator as { storage?: { persist?: () => Promise<boolean> } } | undefined)?.storage;
    storage?.persist?.().catch(() => false);
  }
  return { cache, verifyCache: options.verifyCache === true };
}
