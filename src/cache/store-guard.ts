import type { UseStore } from 'idb-keyval';

/**
 * Wraps an idb-keyval store so storage can never block or confuse a load:
 *  - every transaction has a deadline (WebKit can leave a Blob write pending forever, and a blocked
 *    version upgrade never opens); after one timeout the store is treated as broken and every later
 *    call fails at once, so a load pays for a hung IndexedDB only once;
 *  - a failed transaction rejects with the error of the request that failed: idb-keyval rejects
 *    with `transaction.error`, which WebKit leaves `null` (hence "Could not cache config.json (null)").
 * It only wraps the injected store, so it does not care where the cache code lives.
 */
export interface StoreGuardOptions {
  /** Deadline for read-only transactions. */
  readonly readTimeoutMs: number;
  /** Deadline for read-write transactions (they may carry hundreds of MB). */
  readonly writeTimeoutMs: number;
  readonly setTimeout?: (fn: () => void, ms: number) => unknown;
  readonly clearTimeout?: (handle: unknown) => void;
}

export const DEFAULT_STORE_GUARD: StoreGuardOptions = { readTimeoutMs: 10_000, writeTimeoutMs: 60_000 };

export class StoreTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Error of a transaction that failed without saying why (no request error, no transaction error). */
export class StoreUnexplainedError extends Error {
  override readonly name = 'UnknownError';
}

interface RequestLike {
  readonly error: unknown;
  addEventListener(type: 'error', listener: () => void): void;
}

function isRequest(value: unknown): value is RequestLike {
  return typeof value === 'object' && value !== null && 'error' in value && typeof (value as { addEventListener?: unknown }).addEventListener === 'function';
}

/**
 * The object store handed to idb-keyval's callback, with every request it creates watched, so the
 * first request error is known when the transaction aborts. Methods are bound to the real store:
 * IndexedDB methods throw "Illegal invocation" when called on a Proxy.
 */
function watchRequests(objectStore: IDBObjectStore, onError: (err: unknown) => void): IDBObjectStore {
  return new Proxy(objectStore, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (isRequest(result)) result.addEventListener('error', () => onError(result.error));
        return result;
      };
    },
  });
}

export interface GuardedStore {
  readonly store: UseStore;
  /** Why the store was given up on (first timeout), or undefined while it still answers. */
  readonly brokenReason: () => string | undefined;
}

export function guardStore(inner: UseStore, options: StoreGuardOptions = DEFAULT_STORE_GUARD): GuardedStore {
  const setT = options.setTimeout ?? ((fn: () => void, ms: number) => globalThis.setTimeout(fn, ms));
  const clearT = options.clearTimeout ?? ((h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
  let broken: string | undefined;

  const store: UseStore = <T>(mode: IDBTransactionMode, callback: (s: IDBObjectStore) => T | PromiseLike<T>): Promise<T> => {
    if (broken !== undefined) return Promise.reject(new StoreTimeoutError(broken));
    let requestError: unknown;
    const ms = mode === 'readonly' ? options.readTimeoutMs : options.writeTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setT(() => {
        broken = `IndexedDB did not answer a ${mode} transaction within ${ms} ms`;
        reject(new StoreTimeoutError(broken));
      }, ms);
      let inner$: Promise<T>;
      try {
        inner$ = inner(mode, (s) => callback(watchRequests(s, (err) => { requestError ??= err; })));
      } catch (err) {
        inner$ = Promise.reject(err);
      }
      inner$.then(
        (value) => { clearT(timer); resolve(value); },
        (err: unknown) => {
          clearT(timer);
          const cause = err ?? requestError;
          reject(cause ?? new StoreUnexplainedError(`IndexedDB aborted a ${mode} transaction without giving a reason`));
        },
      );
    });
  };
  return { store, brokenReason: () => broken };
}
