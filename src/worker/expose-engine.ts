import { expose, transfer, type Endpoint } from 'comlink';
import type { EngineApi, WorkerApi } from '../protocol/engine-protocol.js';
import { SiglipError } from '../errors.js';
import { holdLifeLock } from './life-lock.js';

/**
 * comlink rebuilds thrown Errors as plain `Error`s and drops `code`; throwing the serialized form
 * (a plain object) lets the client rebuild a real SiglipError with the same code.
 */
function serializeErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          const result: unknown = await (value as (...a: unknown[]) => unknown).apply(obj, args);
          return transferEmbeddings(result);
        } catch (err) {
          throw (err instanceof SiglipError ? err : SiglipError.wrap('INTERNAL', 'Unexpected error in the siglip-web worker', err)).toJSON();
        }
      };
    },
  });
}

/** Embeddings move to the page without a copy. */
function transferEmbeddings(result: unknown): unknown {
  if (Array.isArray(result) && result.length > 0 && result.every((r) => r instanceof Float32Array)) {
    return transfer(result, (result as Float32Array[]).map((r) => r.buffer as ArrayBuffer));
  }
  return result;
}

/** Longest we hold the load's answer back for the page to run its progress callbacks. */
const PROGRESS_FLUSH_MS = 2000;

/**
 * Each onProgress call is a comlink message on the callback's own MessagePort, while the load's
 * answer travels on the worker's port: nothing orders the two, and Firefox and WebKit delivered
 * `ready` after createSiglip() had resolved. A comlink call resolves once the page ran the
 * callback, and calls on one port run in order, so awaiting the last one before answering puts
 * every progress event (ready included) before the resolution.
 */
export async function loadWithProgressFirst(
  engine: EngineApi,
  options: Parameters<EngineApi['load']>[0],
  onProgress: Parameters<EngineApi['load']>[1],
  wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  onStage?: Parameters<EngineApi['load']>[2],
): Promise<Awaited<ReturnType<EngineApi['load']>>> {
  if (!onProgress) return engine.load(options, undefined, onStage);
  let last: Promise<unknown> = Promise.resolve();
  const tracked = (p: Parameters<NonNullable<typeof onProgress>>[0]): void => {
    // Through comlink the callback returns a promise, in-realm it returns nothing.
    last = Promise.resolve((onProgress as (p: unknown) => unknown)(p)).catch(() => undefined);
  };
  const info = await engine.load(options, tracked, onStage);
  // Bounded: a page whose callback never returns must not block the load.
  await Promise.race([last, wait(PROGRESS_FLUSH_MS)]);
  return info;
}

/** Serves `engine` over `endpoint` (the worker's global scope; a MessagePort in tests). */
export function exposeEngine(engine: EngineApi, endpoint?: Endpoint): void {
  const api: WorkerApi = {
    load: (options, onProgress, onStage) => loadWithProgressFirst(engine, options, onProgress, undefined, onStage),
    classify: (...a) => engine.classify(...a),
    embedImages: (...a) => engine.embedImages(...a),
    embedTexts: (...a) => engine.embedTexts(...a),
    library: (name, op) => engine.library(name, op),
    dispose: () => engine.dispose(),
    holdLifeLock,
  };
  expose(serializeErrors(api), endpoint);
}
