import { SiglipError } from '../errors.js';
import type { LoadProgress, Dtype } from '../types.js';
import { installCache, provideWasmBinary } from '../engine/transformers-runtime.js';
import { modelCacheStore } from './idb-store.js';
import { wasmFolderUrl } from '../engine/wasm-file-url.js';
import { looksLikeCorruptModel, sharedModelFileCache, type ModelFileCache } from './model-file-cache.js';

export interface LoadCacheOptions {
  readonly model: string;
  readonly modelBaseUrl: string;
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

export async function openLoadCache(options: LoadCacheOptions, onProgress: ((p: LoadProgress) => void) | undefined): Promise<LoadCache> {
  const cache: ModelFileCache = sharedModelFileCache(modelCacheStore());
  const base = options.modelBaseUrl;
  const stopWarnings = cache.onWarning((warning) =>
    onProgress?.({ status: 'warning', file: warning.url ?? '', loaded: 0, total: 0, totalLoaded: 0, totalBytes: 0, warning }),
  );
  cache.registerFolder(base, 'model', options.model);
  cache.registerFolder(wasmFolderUrl(options.wasmPaths), 'runtime', 'onnxruntime-web');
  const enabled = await cache.configure({ enabled: options.cache !== 'none', verify: options.verifyCache === true });
  installCache(enabled ? cache : null, cache.guardedFetch);
  // In parallel with the JSON files; sessions wait for it (healing) so onnxruntime never fetches it itself.
  const wasmReady = provideWasmBinary();
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
        throw new SiglipError('MODEL_LOAD', `${message} The cached copy of ${options.model} was corrupt and has been deleted: loading again downloads it (verifyCache: true catches this before loading).`, message);
      }
    },
    commit: async (dtype, needsLogit) => {
      await cache.commitModel(base, dtype, needsLogit);
      stopWarnings();
    },
  };
}
