/**
 * Connects the library code to the loaded model, and decides where photo preprocessing runs.
 */
import type { SiglipImageProcessor } from '../processors/image/image-processor.js';
import type { StoreDeps } from '../storage/library/library-store.js';
import type { LibraryModelPort } from './library-engine.js';
import { photoIds, preparePixels } from './library-prepare.js';
import { PreprocessWorker } from './preprocess-worker.js';

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
 * Where hashing and decoding happen for one engine: in a preprocessing worker started from this
 * same script (its URL is import.meta.url, in worker and inline mode alike), else inline.
 */
export class LibraryPreprocessing {
  private readonly worker = new PreprocessWorker(import.meta.url);

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
