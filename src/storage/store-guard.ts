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
  readonly now?: () => number;
}

/** Granularity of the deadline clock. */
const TICK_MS = 500;

/**
 * Calls `expire` once `ms` of *responsive* time passed. Time during which this thread was blocked
 * does not count: IndexedDB answers arrive as events on this thread, so while e.g. onnxruntime
 * creates a session synchronously (7 s and more in WebKit, on the page in inline mode) an answer
 * that is already there cannot be delivered, and a plain timer would blame IndexedDB for it.
 * A tick that arrives late counts as at most two ticks.
 */
function responsiveDeadline(ms: number, expire: () => void, t: Required<Pick<StoreGuardOptions, 'setTimeout' | 'clearTimeout' | 'now'>>): () => void {
  const tick = Math.min(TICK_MS, ms);
  let elapsed = 0;
  let last = t.now();
  let handle: unknown;
  const onTick = (): void => {
    const now = t.now();
    elapsed += Math.min(Math.max(0, now - last), 2 * tick);
    last = now;
    if (elapsed >= ms) expire();
    else handle = t.setTimeout(onTick, tick);
  };
  handle = t.setTimeout(onTick, tick);
  return () => t.clearTimeout(handle);
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
  const timers = {
    setTimeout: options.setTimeout ?? ((fn: () => void, ms: number) => globalThis.setTimeout(fn, ms)),
    clearTimeout: options.clearTimeout ?? ((h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>)),
    now: options.now ?? (() => Date.now()),
  };
  let broken: string | undefined;

  const store: UseStore = <T>(mode: IDBTransactionMode, callback: (s: IDBObjectStore) => T | PromiseLike<T>): Promise<T> => {
    if (broken !== undefined) return Promise.reject(new StoreTimeoutError(`${broken}, so it is no longer used on this page`));
    let requestError: unknown;
    const ms = mode === 'readonly' ? options.readTimeoutMs : options.writeTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const cancel = responsiveDeadline(ms, () => {
        broken = `IndexedDB did not answer a ${mode} transaction within ${ms} ms`;
        reject(new StoreTimeoutError(broken));
      }, timers);
      let inner$: Promise<T>;
      try {
        inner$ = inner(mode, (s) => callback(watchRequests(s, (err) => { requestError ??= err; })));
      } catch (err) {
        inner$ = Promise.reject(err);
      }
      inner$.then(
        (value) => { cancel(); resolve(value); },
        (err: unknown) => {
          cancel();
          const cause = err ?? requestError;
          reject(cause ?? new StoreUnexplainedError(`IndexedDB aborted a ${mode} transaction without giving a reason`));
        },
      );
    });
  };
  return { store, brokenReason: () => broken };
}
