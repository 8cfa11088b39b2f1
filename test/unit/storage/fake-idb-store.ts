import type { UseStore } from 'idb-keyval';

/**
 * An in-memory stand-in for an idb-keyval store with the failure modes browsers show:
 *  - `refuseBlobs`: a put of a Blob fails the way WebKit's ephemeral sessions do (request error
 *    UnknownError, transaction aborted with `transaction.error === null`);
 *  - `hang`: transactions of that mode never complete (a blocked open, a stuck Blob write).
 * Requests complete asynchronously, like IndexedDB's.
 */
export interface FakeStoreOptions {
  refuseBlobs?: boolean;
  /** Every put fails (storage switched off, quota of zero). */
  refuseWrites?: boolean;
  hang?: IDBTransactionMode;
}

type Handler = (() => void) | null;

class FakeRequest {
  result: unknown;
  error: unknown = null;
  onsuccess: Handler = null;
  onerror: Handler = null;
  oncomplete: Handler = null;
  onabort: Handler = null;
  private readonly errorListeners: (() => void)[] = [];
  addEventListener(type: string, fn: () => void): void {
    if (type === 'error') this.errorListeners.push(fn);
  }
  succeed(result: unknown): void {
    this.result = result;
    this.onsuccess?.();
  }
  fail(error: unknown): void {
    this.error = error;
    for (const fn of this.errorListeners) fn();
    this.onerror?.();
  }
}

class FakeTransaction extends FakeRequest {}

export function fakeStore(options: FakeStoreOptions = {}): { store: UseStore; data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  const store: UseStore = async <T>(mode: IDBTransactionMode, callback: (s: IDBObjectStore) => T | PromiseLike<T>): Promise<T> => {
    const transaction = new FakeTransaction();
    const pending = new Map<string, unknown>();
    let refused = false;
    const hangs = options.hang === mode;
    const later = (fn: () => void): void => { if (!hangs) setTimeout(fn, 0); };
    const objectStore = {
      transaction,
      get(key: string) {
        const r = new FakeRequest();
        later(() => r.succeed(data.get(key)));
        return r;
      },
      put(value: unknown, key: string) {
        const r = new FakeRequest();
        if (options.refuseWrites || (options.refuseBlobs && value instanceof Blob)) {
          refused = true;
          later(() => r.fail(new Error('UnknownError: Error preparing Blob/File data to be stored in object store')));
        } else {
          pending.set(key, value);
          later(() => r.succeed(key));
        }
        return r;
      },
      delete(key: string) {
        const r = new FakeRequest();
        pending.set(key, undefined);
        later(() => r.succeed(undefined));
        return r;
      },
    };
    const result = callback(objectStore as unknown as IDBObjectStore);
    // Commit (or abort, with the null error WebKit gives) after the requests settled.
    later(() => setTimeout(() => {
      if (refused) {
        transaction.error = null;
        transaction.onerror?.();
        return;
      }
      for (const [k, v] of pending) if (v === undefined) data.delete(k); else data.set(k, v);
      transaction.oncomplete?.();
    }, 0));
    return result;
  };
  return { store, data };
}
