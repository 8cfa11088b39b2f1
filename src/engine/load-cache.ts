import { SiglipError } from '../errors.js';
import type { ModelRef } from '../model-ref/model-ref.js';
import { looksLikeCorruptModel, type ModelFileCache } from '../storage/model-file-cache.js';
import type { Dtype, LoadProgress } from '../types.js';
import type { TransformersRuntime } from './transformers-adapter.js';
import { wasmFolderUrl } from './wasm-file-url.js';

export interface LoadCacheOptions {
  readonly model: ModelRef;
  readonly wasmPaths: string;
  readonly cache?: 'indexeddb' | 'none';
  readonly verifyCache?: boolean;
}

/** The engine's view of the cache for one load: small, so the load path reads as before. */
export interface LoadCache {
  /** Source of a file given by its path inside the model folder. */
  readonly sourceOf: (file: string) => 'network' | 'cache' | undefined;
  logitParams<T extends { logitScaleExp: number; logitBias: number; source: string }>(compute: () => Promise<T>): Promise<{ logitScaleExp: number; logitBias: number; source: string }>;
  /**
   * Runs `load` once the onnxruntime binary is in place. If cached bytes do not parse as a model,
   * deletes what came from the cache and fails with MODEL_LOAD saying so (see below why not retry).
   */
  healing<T>(load: () => Promise<T>): Promise<T>;
  /** Call after the load succeeded: records that this dtype now loads offline, stops warnings. */
  commit(dtype: Dtype, needsLogit: boolean): Promise<void>;
}

/**
 * Connects the engine's file cache (storage/) to its transformers.js runtime for one load. Storage
 * never sees the runtime: this module, owned by the engine, passes one to the other.
 */
export async function openLoadCache(
  options: LoadCacheOptions,
  cache: ModelFileCache,
  runtime: TransformersRuntime,
  onProgress: ((p: LoadProgress) => void) | undefined,
): Promise<LoadCache> {
  const { model } = options;
  const base = model.baseUrl;
  const stopWarnings = cache.onWarning((warning) =>
    onProgress?.({ status: 'warning', file: warning.url ?? '', loaded: 0, total: 0, totalLoaded: 0, totalBytes: 0, warning }),
  );
  cache.registerFolder(base, 'model', model.id);
  cache.registerFolder(wasmFolderUrl(options.wasmPaths), 'runtime', 'onnxruntime-web');
  const enabled = await cache.configure({ enabled: options.cache !== 'none', verify: options.verifyCache === true });
  runtime.useCache(enabled ? cache : null, cache.guardedFetch);
  // In parallel with the JSON files; sessions wait for it (healing) so onnxruntime never fetches it itself.
  const wasmReady = runtime.provideWasmBinary();
  wasmReady.catch(() => undefined); // awaited (and reported) by healing()
  return {
    sourceOf: (file) => cache.sourceOf(base + file),
    logitParams: (compute) => cache.logitParams(base, compute),
    healing: async (load) => {
      await wasmReady;
      try {
        return await load();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!enabled || !looksLikeCorruptModel(message) || !(await cache.purgeServedFromCache(base))) throw err;
        // Retrying here cannot work: transformers.js chains all session creations of a realm on one
        // promise, so after this rejection every later session in this worker fails the same way.
        throw new SiglipError('MODEL_LOAD', `${message} The cached copy of ${model.id} was corrupt and has been deleted: loading again downloads it (verifyCache: true catches this before loading).`, message);
      }
    },
    commit: async (dtype, needsLogit) => {
      await cache.commitModel(base, dtype, needsLogit);
      stopWarnings();
    },
  };
}
