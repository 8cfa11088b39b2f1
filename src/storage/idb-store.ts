import { createStore, delMany, getMany, keys, setMany, clear as clearStore, type UseStore } from 'idb-keyval';
import { CACHE_DB_NAME, CACHE_STORE_NAME, bodyKey, fileKey, isFileRecord, type FileRecord } from './cache-records.js';
import { decodeBody } from './body-format.js';
import { guardStore } from './store-guard.js';

export type { UseStore };

let defaultStore: UseStore | undefined;

/**
 * The database the worker writes and the page's cache API reads. Its own name (not idb-keyval's
 * shared `keyval-store`), so clearing it can never touch an app's other data. Functions below take
 * the store as a parameter, idb-keyval style, so tests and embedders can pass another.
 */
export function modelCacheStore(): UseStore {
  // Where there is no IndexedDB (some private modes, workers without storage) every use fails the
  // same way, and the cache reports it once and stays off.
  if (typeof indexedDB === 'undefined') return () => Promise.reject(new Error('indexedDB is not defined in this context'));
  // Guarded: no IndexedDB call can hang a load, and failures carry the real request error.
  defaultStore ??= guardStore(createStore(CACHE_DB_NAME, CACHE_STORE_NAME)).store;
  return defaultStore;
}

export interface StoredFile {
  readonly record: FileRecord;
  readonly body: Blob;
}

/** Metadata and body of one URL; `partial` when only one half exists (must be removed, never used). */
export async function readFile(url: string, store: UseStore): Promise<StoredFile | 'missing' | 'partial'> {
  const [record, body] = await getMany<unknown>([fileKey(url), bodyKey(url)], store);
  if (record === undefined && body === undefined) return 'missing';
  if (!isFileRecord(record)) return 'partial';
  // Bodies are Blobs, or ArrayBuffers where the store refuses Blobs (see body-format.ts).
  const blob = decodeBody(body, record.contentType);
  return blob ? { record, body: blob } : 'partial';
}

/** Metadata and body in one transaction: either both are stored or neither. */
export function writeFile(record: FileRecord, body: Blob | ArrayBuffer, store: UseStore): Promise<void> {
  return setMany([[fileKey(record.url), record], [bodyKey(record.url), body]], store);
}

export function deleteFile(url: string, store: UseStore): Promise<void> {
  return delMany([fileKey(url), bodyKey(url)], store);
}

export async function allKeys(store: UseStore): Promise<string[]> {
  return (await keys<IDBValidKey>(store)).filter((k): k is string => typeof k === 'string');
}

export async function readMany(keysToRead: string[], store: UseStore): Promise<unknown[]> {
  return keysToRead.length === 0 ? [] : getMany<unknown>(keysToRead, store);
}

export { delMany as deleteKeys, setMany as writeMany, clearStore };
