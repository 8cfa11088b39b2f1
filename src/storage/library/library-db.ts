/**
 * A minimal promise layer over one library's IndexedDB database. idb-keyval cannot span several
 * object stores in one transaction, and atomic photo + embedding writes need exactly that.
 */
import { SiglipError } from '../../errors.js';
import {
  CHUNK_STORE, LIBRARY_DB_VERSION, META_STORE, PHOTO_SEQ_INDEX, PHOTO_STORE, libraryDbName,
} from './library-records.js';

export function storageError(what: string, cause: unknown): SiglipError {
  const name = (cause as { name?: unknown } | null)?.name;
  if (name === 'QuotaExceededError') {
    return new SiglipError('STORAGE', `${what}: the browser's storage quota is full; free space (remove photos, cache.clear()) or ask for persistent storage`, String(cause));
  }
  return SiglipError.wrap('STORAGE', `${what}: IndexedDB failed (private mode or blocked storage?)`, cause);
}

/** The IDBRequest's result once it succeeds. Awaiting it keeps the transaction active (microtask). */
export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openLibraryDb(name: string, idb: IDBFactory): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    let req: IDBOpenDBRequest;
    try {
      req = idb.open(libraryDbName(name), LIBRARY_DB_VERSION);
    } catch (err) {
      reject(storageError(`Could not open photo library "${name}"`, err));
      return;
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(META_STORE)) db.createObjectStore(META_STORE);
      if (!db.objectStoreNames.contains(PHOTO_STORE)) db.createObjectStore(PHOTO_STORE, { keyPath: 'id' }).createIndex(PHOTO_SEQ_INDEX, 'seq', { unique: true });
      if (!db.objectStoreNames.contains(CHUNK_STORE)) db.createObjectStore(CHUNK_STORE, { keyPath: 'chunk' });
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab deleting the database must not wait on us forever.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(storageError(`Could not open photo library "${name}"`, req.error));
    req.onblocked = () => undefined;
  });
}

/**
 * Runs `body` in one transaction and resolves with its result once the transaction has committed
 * (so a resolved write is durable), or rejects and rolls everything back.
 */
export function transact<T>(db: IDBDatabase, stores: string[], mode: IDBTransactionMode, what: string, body: (tx: IDBTransaction) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let tx: IDBTransaction;
    try {
      tx = db.transaction(stores, mode, { durability: 'strict' });
    } catch (err) {
      reject(storageError(what, err));
      return;
    }
    let result: { value: T } | undefined;
    let failure: unknown;
    tx.oncomplete = () => (result ? resolve(result.value) : reject(storageError(what, failure ?? new Error('transaction ended early'))));
    tx.onabort = () => reject(failure instanceof SiglipError ? failure : storageError(what, failure ?? tx.error));
    body(tx).then(
      (value) => {
        result = { value };
      },
      (err: unknown) => {
        failure = err;
        try {
          tx.abort();
        } catch {
          // already finished
        }
      },
    );
  });
}

/** Deletes the library's database (waits until other connections closed). */
export function deleteLibraryDb(name: string, idb: IDBFactory): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = idb.deleteDatabase(libraryDbName(name));
    req.onsuccess = () => resolve();
    req.onerror = () => reject(storageError(`Could not delete photo library "${name}"`, req.error));
  });
}
