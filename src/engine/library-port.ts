/**
 * Connects the library code to the loaded model, and decides where photo preprocessing runs.
 */
import type { ImageCodecs } from '../processors/image/decode-browser.js';
import type { SiglipImageProcessor } from '../processors/image/image-processor.js';
import { LibraryStore, type StoreDeps } from '../storage/library/library-store.js';
import type { BodyFormat } from '../storage/body-format.js';
import { probeChunkFormat } from '../storage/library/chunk-format.js';
import type { LibraryModelPort } from './library-engine.js';
import { BatchCollector, type CollectItem, type CollectOutcome, type ExistingIds } from './library-prepare.js';

export type ModelParts = Omit<LibraryModelPort, 'collect'> & { readonly processor: SiglipImageProcessor };

/** IndexedDB and Web Locks of the realm the engine runs in. */
export function libraryStoreDeps(): StoreDeps {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  let sealed: Promise<BodyFormat> | undefined;
  return {
    get idb(): IDBFactory {
      return globalThis.indexedDB;
    },
    ...(locks ? { locks } : {}),
    sealedChunks: () => (sealed ??= probeChunkFormat(globalThis.indexedDB)),
  };
}

/**
 * Which ids a library stores, from this realm's own read-only connections (one per library, kept
 * open): the preprocessing worker skips stored photos without a round trip through the engine.
 */
export function libraryReader(deps: StoreDeps = libraryStoreDeps()): (library: string, ids: readonly string[]) => Promise<Set<string>> {
  const stores = new Map<string, Promise<LibraryStore>>();
  return async (library, ids) => {
    let store = stores.get(library);
    if (!store) {
      store = LibraryStore.open(library, deps);
      store.catch(() => stores.delete(library));
      stores.set(library, store);
    }
    return (await store).existing(ids);
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
  /** collectBatch in the helper worker, which checks for stored ids in library `library` itself. */
  collect(config: Record<string, unknown>, items: CollectItem[], library: string): Promise<CollectOutcome[]>;
}

const INLINE: PreprocessRunner = { run: (_fn, inline) => inline(), dispose: () => undefined };

export class LibraryPreprocessing {
  private readonly inline: BatchCollector;

  constructor(private readonly worker: PreprocessRunner = INLINE, codecs: ImageCodecs = {}) {
    this.inline = new BatchCollector(codecs);
  }

  port(parts: ModelParts): LibraryModelPort {
    const { processor, ...rest } = parts;
    const config = processor.toPreprocessorConfig();
    return {
      ...rest,
      collect: (items, library: { readonly name: string; readonly existing: ExistingIds }) =>
        this.worker.run(
          (api) => api.collect(config, [...items], library.name),
          () => this.inline.collect(items, processor, library.existing),
        ),
    };
  }

  dispose(): void {
    this.worker.dispose();
  }
}
