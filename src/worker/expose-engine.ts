import { expose, transfer } from 'comlink';
import type { EngineApi } from '../engine/engine-api.js';
import { SiglipError } from '../errors.js';
import { holdLifeLock } from './life-lock.js';

/** What the page sees over comlink: the engine plus the worker's liveness lock. */
export interface WorkerApi extends EngineApi {
  holdLifeLock(name: string): Promise<boolean>;
}

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

export function exposeEngine(engine: EngineApi): void {
  const api: WorkerApi = {
    load: (...a) => engine.load(...a),
    classify: (...a) => engine.classify(...a),
    embedImages: (...a) => engine.embedImages(...a),
    embedTexts: (...a) => engine.embedTexts(...a),
    library: (name, op) => engine.library(name, op),
    dispose: () => engine.dispose(),
    holdLifeLock,
  };
  expose(serializeErrors(api));
}
