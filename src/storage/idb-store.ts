import { clear, createStore, delMany, getMany, keys, setMany, type UseStore } from 'idb-keyval';
import { CACHE_DB_NAME, CACHE_STORE_NAME, bodyKey, fileKey, isFileRecord, type FileRecord } from './cache-records.js';

/**
 * What the model cache needs from storage: a few batched key-value operations, each one
 * transaction (idb-keyval's shape). IndexedDB is the real one (idbKeyValueStore); tests and
 * embedders pass another. Storage policy (timeouts, refusing Blobs) wraps this one seam.
 */
export interface KeyValueStore {
  getMany(keys: readonly string[]): Promise<unknown[]>;
  /** All entries in one transaction: either all are stored or none. */
  setMany(entries: readonly (readonly [string, unknown])[]): Promise<void>;
  delMany(keys: readonly string[]): Promise<void>;
  keys(): Promise<IDBValidKey[]>;
  clear(): Promise<void>;
}

/**
 * An idb-keyval database as a KeyValueStore. The database is opened on first use, so creating the
 * adapter never throws where IndexedDB is missing; the first operation rejects instead.
 */
export function idbKeyValueStore(dbName: string, storeName: string): KeyValueStore {
  let store: UseStore | undefined;
  const use = (): UseStore => {
    if (typeof indexedDB === 'undefined') throw new Error('indexedDB is not defined in this context');
    store ??= createStore(dbName, storeName);
    return store;
  };
  return {
    getMany: async (k) => (k.length === 0 ? [] : getMany<unknown>([...k], use())),
    setMany: async (entries) => setMany(entries.map(([k, v]) => [k, v]), use()),
    delMany: async (k) => delMany([...k], use()),
    keys: async () => keys<IDBValidKey>(use()),
    clear: async () => clear(use()),
  };
}

/** A KeyValueStore in memory (tests; also what "no persistent storage" looks like). */
export function memoryKeyValueStore(): KeyValueStore & { readonly entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  return {
    entries,
    getMany: async (k) => k.map((key) => entries.get(key)),
    setMany: async (list) => {
      for (const [k, v] of list) entries.set(k, v);
    },
    delMany: async (k) => {
      for (const key of k) entries.delete(key);
    },
    keys: async () => [...entries.keys()],
    clear: async () => entries.clear(),
  };
}

let defaultStore: KeyValueStore | undefined;

/**
 * The database the worker writes and the page's cache API reads. Its own name (not idb-keyval's
 * shared `keyval-store`), so clearing it can never touch an app's other data. Functions below take
 * the store as a parameter, idb-keyval style, so tests and embedders can pass another.
 */
export function modelCacheStore(): KeyValueStore {
  defaultStore ??= idbKeyValueStore(CACHE_DB_NAME, CACHE_STORE_NAME);
  return defaultStore;
}

export interface StoredFile {
  readonly record: FileRecord;
  readonly body: Blob;
}

/** Metadata and body of one URL; `partial` when only one half exists (must be removed, never used). */
export async function readFile(url: string, store: KeyValueStore): Promise<StoredFile | 'missing' | 'partial'> {
  const [record, body] = await store.getMany([fileKey(url), bodyKey(url)]);
  if (record === undefined && body === undefined) return 'missing';
  if (!isFileRecord(record) || !(body instanceof Blob)) return 'partial';
  return { record, body };
}

/** Metadata and body in one transaction: either both are stored or neither. */
export function writeFile(record: FileRecord, body: Blob, store: KeyValueStore): Promise<void> {
  return store.setMany([[fileKey(record.url), record], [bodyKey(record.url), body]]);
}

export function deleteFile(url: string, store: KeyValueStore): Promise<void> {
  return store.delMany([fileKey(url), bodyKey(url)]);
}

export async function allKeys(store: KeyValueStore): Promise<string[]> {
  return (await store.keys()).filter((k): k is string => typeof k === 'string');
}

export function readMany(keysToRead: string[], store: KeyValueStore): Promise<unknown[]> {
  return store.getMany(keysToRead);
}

export function writeMany(entries: [string, unknown][], store: KeyValueStore): Promise<void> {
  return store.setMany(entries);
}

export function deleteKeys(keysToDelete: string[], store: KeyValueStore): Promise<void> {
  return store.delMany(keysToDelete);
}

export function clearStore(store: KeyValueStore): Promise<void> {
  return store.clear();
}
