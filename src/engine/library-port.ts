/**
 * Connects the library code to the loaded model, and decides where photo preprocessing runs.
 */
import type { SiglipImageProcessor } from '../processors/image/image-processor.js';
import type { StoreDeps } from '../storage/library/library-store.js';
import type { LibraryModelPort } from './library-engine.js';
import { photoIds, preparePixels } from './library-prepare.js';

export type ModelParts = Omit<LibraryModelPort, 'ids' | 'prepare'> & { readonly processor: SiglipImageProcessor };

/** IndexedDB and Web Locks of the realm the engine runs in. */
export function libraryStoreDeps(): StoreDeps {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  return {
    get idb(): IDBFactory {
      return globalThis.indexedDB;
    },
    ...(locks ? { locks } : {}),
  };
}

/**
 * Where hashing and decoding happen for one engine: in the injected preprocessing worker (the
 * worker layer starts it from the same script), else inline.
 */
/** Runs preprocessing in a helper worker (see worker/preprocess-worker.ts), or `inline` when none can start. */
export interface PreprocessRunner {
  run<T>(fn: (api: PreprocessApi) => Promise<T>, inline: () => Promise<T>): Promise<T>;
  dispose(): void;
}

export interface PreprocessApi {
  ids(sources: (Blob | string)[]): ReturnType<typeof photoIds>;
  prepare(config: Record<string, unknown>, blobs: Blob[], names: (string | undefined)[]): ReturnType<typeof preparePixels>;
}

const INLINE: PreprocessRunner = { run: (_fn, inline) => inline(), dispose: () => undefined };

export class LibraryPreprocessing {
  constructor(private readonly worker: PreprocessRunner = INLINE) {}

  port(parts: ModelParts): LibraryModelPort {
    const { processor, ...rest } = parts;
    const config = processor.toPreprocessorConfig();
    return {
      ...rest,
      ids: (items) => {
        const sources = items.map((it) => it.id ?? it.blob);
        return this.worker.run((api) => api.ids(sources), () => photoIds(sources));
      },
      prepare: (blobs, names) =>
        this.worker.run(
          (api) => api.prepare(config, [...blobs], [...names]),
          () => preparePixels(blobs, processor, (i) => names[i] ?? `photo #${i}`),
        ),
    };
  }

  dispose(): void {
    this.worker.dispose();
  }
}
