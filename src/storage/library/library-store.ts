/**
 * One photo library in IndexedDB: atomic batch writes with dedupe, bulk reads of the embedding
 * chunks, removal that rewrites the affected chunks in the same transaction. Writers also take a
 * Web Lock per library, so two tabs never interleave their read-modify-write of the last chunk
 * (IndexedDB would serialise them anyway; the lock keeps the order predictable and cheap).
 */
import { SiglipError } from '../../errors.js';
import { appendRows, removeRows } from './chunk-layout.js';
import { openLibraryDb, request, transact } from './library-db.js';
import {
  CHUNK_ROWS, CHUNK_STORE, META_KEY, META_STORE, PHOTO_SEQ_INDEX, PHOTO_STORE, emptyMeta, libraryDbName,
  type ChunkRecord, type LibraryMeta, type PhotoRecord,
} from './library-records.js';

/** Model identity the embeddings of a library belong to. */
export interface EmbeddingSpace {
  readonly model: string;
  readonly dtype: string;
  readonly dim: number;
}

export type NewPhoto = Omit<PhotoRecord, 'seq' | 'chunk'>;

export interface WriteResult {
  /** Ids stored by this write, in input order. */
  readonly added: string[];
  /** Ids that were already stored (or repeated in the batch). */
  readonly skipped: string[];
  readonly generationBefore: number;
  readonly generationAfter: number;
}

export interface StoreDeps {
  readonly idb: IDBFactory;
  /** Web Locks, when available (absent: IndexedDB transactions alone keep writes consistent). */
  readonly locks?: LockManager;
  /** Rows per chunk record (tests use small chunks). */
  readonly chunkRows?: number;
}

export function mismatchError(name: string, stored: LibraryMeta, space: EmbeddingSpace): SiglipError {
  return new SiglipError(
    'LIBRARY_MISMATCH',
    `Photo library "${name}" holds embeddings of ${stored.model} (${stored.dtype}, ${stored.dim} dims), not ${space.model} (${space.dtype}, ${space.dim} dims). ` +
      `Open it with createSiglip({ model: ${JSON.stringify(stored.model)}, dtype: ${JSON.stringify(stored.dtype)} }), use another library name, or clear() it first.`,
  );
}

function sameSpace(meta: LibraryMeta, space: EmbeddingSpace): boolean {
  return meta.model === space.model && meta.dtype === space.dtype && meta.dim === space.dim;
}

export class LibraryStore {
  private constructor(
    readonly name: string,
    private readonly db: IDBDatabase,
    private readonly deps: StoreDeps,
  ) {}

  static async open(name: string, deps: StoreDeps): Promise<LibraryStore> {
    return new LibraryStore(name, await openLibraryDb(name, deps.idb), deps);
  }

  private get chunkRows(): number {
    return this.deps.chunkRows ?? CHUNK_ROWS;
  }

  close(): void {
    this.db.close();
  }

  /** Runs `fn` holding this library's write lock. */
  private withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = this.deps.locks;
    if (!locks) return fn();
    return locks.request(`${libraryDbName(this.name)}:write`, { mode: 'exclusive' }, fn) as Promise<T>;
  }

  async meta(): Promise<LibraryMeta> {
    return transact(this.db, [META_STORE], 'readonly', 'Reading the photo library', async (tx) => readMeta(tx));
  }

  /** Throws LIBRARY_MISMATCH when the library belongs to another model. */
  async checkSpace(space: EmbeddingSpace): Promise<LibraryMeta> {
    const meta = await this.meta();
    if (meta.model !== undefined && !sameSpace(meta, space)) throw mismatchError(this.name, meta, space);
    return meta;
  }

  /** Ids (from `ids`) that are already stored. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return transact(this.db, [PHOTO_STORE], 'readonly', 'Reading the photo library', async (tx) => {
      const store = tx.objectStore(PHOTO_STORE);
      const keys = await Promise.all(ids.map((id) => request(store.getKey(id))));
      return new Set(ids.filter((_, i) => keys[i] !== undefined));
    });
  }

  /**
   * Stores photos and their embedding rows (photos.length × dim) in ONE transaction: a crash at any
   * moment leaves either all of them or none. Ids already present (checked inside the transaction,
   * so a concurrent tab's write counts) are skipped.
   */
  write(photos: readonly NewPhoto[], rows: Float32Array, space: EmbeddingSpace): Promise<WriteResult> {
    if (rows.length !== photos.length * space.dim) throw new SiglipError('INTERNAL', `write: ${photos.length} photos but ${rows.length / space.dim} embedding rows`);
    return this.withWriteLock(() =>
      transact(this.db, [META_STORE, PHOTO_STORE, CHUNK_STORE], 'readwrite', `Saving photos to library "${this.name}"`, async (tx) => {
        const meta = await readMeta(tx);
        if (meta.model !== undefined && !sameSpace(meta, space)) throw mismatchError(this.name, meta, space);
        const photoStore = tx.objectStore(PHOTO_STORE);
        const present = await Promise.all(photos.map((p) => request(photoStore.getKey(p.id))));
        const seen = new Set<string>();
        const keep: number[] = [];
        const skipped: string[] = [];
        photos.forEach((p, i) => {
          if (present[i] !== undefined || seen.has(p.id)) skipped.push(p.id);
          else keep.push(i);
          seen.add(p.id);
        });
        if (keep.length === 0) return { added: [], skipped, generationBefore: meta.generation, generationAfter: meta.generation };
        const chunkStore = tx.objectStore(CHUNK_STORE);
        const last = (await request(chunkStore.get(meta.lastChunk))) as ChunkRecord | undefined;
        const data = new Float32Array(keep.length * space.dim);
        keep.forEach((src, i) => data.set(rows.subarray(src * space.dim, (src + 1) * space.dim), i * space.dim));
        const ids = keep.map((i) => (photos[i] as NewPhoto).id);
        const appended = appendRows(last, meta.lastChunk, { ids, data }, space.dim, this.chunkRows);
        for (const chunk of appended.chunks) chunkStore.put(chunk);
        keep.forEach((src, i) => {
          const record: PhotoRecord = { ...(photos[src] as NewPhoto), seq: meta.nextSeq + i, chunk: appended.chunkOfRow[i] as number };
          photoStore.put(record);
        });
        const next: LibraryMeta = {
          ...meta, model: space.model, dtype: space.dtype, dim: space.dim,
          generation: meta.generation + 1, nextSeq: meta.nextSeq + keep.length, lastChunk: appended.lastChunk,
        };
        tx.objectStore(META_STORE).put(next, META_KEY);
        return { added: ids, skipped, generationBefore: meta.generation, generationAfter: next.generation };
      }),
    );
  }

  /**
   * All embedding chunks in insertion order with the generation they belong to, in one transaction.
   * Every chunk is its own request, all made up front: measured faster than one getAll (the
   * database starts delivering while it reads the rest).
   */
  readAll(): Promise<{ meta: LibraryMeta; chunks: ChunkRecord[] }> {
    return transact(this.db, [META_STORE, CHUNK_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => {
      const store = tx.objectStore(CHUNK_STORE);
      const [meta, keys] = await Promise.all([readMeta(tx), request(store.getAllKeys())]);
      const chunks = (await Promise.all(keys.map((key) => request(store.get(key))))) as ChunkRecord[];
      return { meta, chunks };
    });
  }

  /** Photo records in insertion order; `names` for every id when asked. */
  readPhotos(offset = 0, limit = Infinity): Promise<PhotoRecord[]> {
    return transact(this.db, [PHOTO_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => {
      const index = tx.objectStore(PHOTO_STORE).index(PHOTO_SEQ_INDEX);
      if (offset === 0 && limit === Infinity) return (await request(index.getAll())) as PhotoRecord[];
      const out: PhotoRecord[] = [];
      await new Promise<void>((resolve, reject) => {
        const cursorReq = index.openCursor();
        let skipped = offset === 0;
        cursorReq.onerror = () => reject(cursorReq.error);
        cursorReq.onsuccess = () => {
          const cursor = cursorReq.result;
          if (!cursor || out.length >= limit) return resolve();
          if (!skipped) {
            skipped = true;
            cursor.advance(offset);
            return;
          }
          out.push(cursor.value as PhotoRecord);
          cursor.continue();
        };
      });
      return out;
    });
  }

  /** One photo and its raw embedding row. */
  get(id: string): Promise<{ photo: PhotoRecord; embedding: Float32Array } | undefined> {
    return transact(this.db, [META_STORE, PHOTO_STORE, CHUNK_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => {
      const photo = (await request(tx.objectStore(PHOTO_STORE).get(id))) as PhotoRecord | undefined;
      if (!photo) return undefined;
      const [meta, chunk] = await Promise.all([readMeta(tx), request(tx.objectStore(CHUNK_STORE).get(photo.chunk)) as Promise<ChunkRecord | undefined>]);
      const row = chunk?.ids.indexOf(id) ?? -1;
      const dim = meta.dim ?? 0;
      if (!chunk || row < 0) throw new SiglipError('STORAGE', `Library "${this.name}" is inconsistent: photo ${id} has no embedding`);
      return { photo, embedding: new Float32Array(chunk.data, row * dim * 4, dim).slice() };
    });
  }

  /** Photo records of `ids` (undefined where absent), read in one transaction. */
  photos(ids: readonly string[]): Promise<(PhotoRecord | undefined)[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return transact(this.db, [PHOTO_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => {
      const store = tx.objectStore(PHOTO_STORE);
      return (await Promise.all(ids.map((id) => request(store.get(id))))) as (PhotoRecord | undefined)[];
    });
  }

  async count(): Promise<number> {
    return transact(this.db, [PHOTO_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => request(tx.objectStore(PHOTO_STORE).count()));
  }

  /** Removes photos and their rows (affected chunks rewritten in the same transaction). */
  remove(ids: readonly string[]): Promise<number> {
    return this.withWriteLock(() =>
      transact(this.db, [META_STORE, PHOTO_STORE, CHUNK_STORE], 'readwrite', `Removing photos from library "${this.name}"`, async (tx) => {
        const meta = await readMeta(tx);
        const photoStore = tx.objectStore(PHOTO_STORE);
        const unique = [...new Set(ids)];
        const records = (await Promise.all(unique.map((id) => request(photoStore.get(id))))) as (PhotoRecord | undefined)[];
        const byChunk = new Map<number, Set<string>>();
        for (const r of records) {
          if (!r) continue;
          const set = byChunk.get(r.chunk) ?? new Set<string>();
          set.add(r.id);
          byChunk.set(r.chunk, set);
        }
        if (byChunk.size === 0) return 0;
        const chunkStore = tx.objectStore(CHUNK_STORE);
        const dim = meta.dim ?? 0;
        await Promise.all(
          [...byChunk].map(async ([n, remove]) => {
            const chunk = (await request(chunkStore.get(n))) as ChunkRecord | undefined;
            if (!chunk) return;
            const kept = removeRows(chunk, remove, dim);
            if (kept.ids.length === 0 && n !== meta.lastChunk) chunkStore.delete(n);
            else chunkStore.put(kept);
          }),
        );
        let removed = 0;
        for (const r of records) {
          if (!r) continue;
          photoStore.delete(r.id);
          removed++;
        }
        tx.objectStore(META_STORE).put({ ...meta, generation: meta.generation + 1 }, META_KEY);
        return removed;
      }),
    );
  }

  /** Removes every photo; the library forgets its model, so it can be reused with another. */
  clear(): Promise<void> {
    return this.withWriteLock(() =>
      transact(this.db, [META_STORE, PHOTO_STORE, CHUNK_STORE], 'readwrite', `Clearing library "${this.name}"`, async (tx) => {
        const meta = await readMeta(tx);
        tx.objectStore(PHOTO_STORE).clear();
        tx.objectStore(CHUNK_STORE).clear();
        tx.objectStore(META_STORE).put({ ...emptyMeta(), generation: meta.generation + 1 }, META_KEY);
      }),
    );
  }
}

async function readMeta(tx: IDBTransaction): Promise<LibraryMeta> {
  const stored = (await request(tx.objectStore(META_STORE).get(META_KEY))) as LibraryMeta | undefined;
  return stored ?? emptyMeta();
}
