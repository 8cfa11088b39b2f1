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

/** Where hashing and decoding happen for one engine. */
export class LibraryPreprocessing {
  port(parts: ModelParts): LibraryModelPort {
    const { processor, ...rest } = parts;
    return {
      ...rest,
      ids: (items) => photoIds(items.map((it) => it.id ?? it.blob)),
      prepare: (blobs, names) => preparePixels(blobs, processor, (i) => names[i] ?? `photo #${i}`),
    };
  }

  dispose(): void {}
}
