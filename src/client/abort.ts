import { SiglipError } from '../errors.js';

/** The error every cancelled call rejects with, whatever stage it was in. */
export function abortedError(signal: AbortSignal | undefined, what: string): SiglipError {
  const reason: unknown = signal?.reason;
  const detail = reason instanceof Error ? reason.message : reason === undefined ? undefined : String(reason);
  return new SiglipError('ABORTED', `${what} was aborted${detail ? ` (${detail})` : ''}`, detail);
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(signal, what);
}

export function checkSignal(signal: unknown, where: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  const s = signal as Partial<AbortSignal> | null;
  if (typeof s !== 'object' || s === null || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function') {
    throw new SiglipError('INVALID_INPUT', `${where}: signal must be an AbortSignal (from new AbortController().signal)`);
  }
  return signal as AbortSignal;
}

/**
 * Settles with the promise, or rejects with ABORTED as soon as the signal fires. The listener is
 * removed either way so long-lived signals do not accumulate closures.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}
