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

/** Serves `engine` over `endpoint` (the worker's global scope; a MessagePort in tests). */
export function exposeEngine(engine: EngineApi, endpoint?: Endpoint): void {
  const api: WorkerApi = {
    load: (...a) => engine.load(...a),
    classify: (...a) => engine.classify(...a),
    embedImages: (...a) => engine.embedImages(...a),
    embedTexts: (...a) => engine.embedTexts(...a),
    dispose: () => engine.dispose(),
    holdLifeLock,
  };
  expose(serializeErrors(api), endpoint);
}
