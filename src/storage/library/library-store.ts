/**
 * One photo library in IndexedDB: atomic batch writes with dedupe, bulk reads of the embedding
 * chunks, removal that rewrites the affected chunks in the same transaction. Writers also take a
 * Web Lock per library, so two tabs never interleave their read-modify-write of the last chunk
 * (IndexedDB would serialise them anyway; the lock keeps the order predictable and cheap).
 */
import { SiglipError } from '../../errors.js';
import type { BodyFormat } from '../body-format.js';
import { chunkBytes } from './chunk-format.js';
import { appendRows, removeRows } from './chunk-layout.js';
import { openLibraryDb, request, storageError, transact } from './library-db.js';
import {
  CHUNK_ROWS, CHUNK_STORE, META_KEY, META_STORE, PHOTO_SEQ_INDEX, PHOTO_STORE, emptyMeta, libraryDbName,
  type ChunkRecord, type ChunkRows, type LibraryMeta, type PhotoRecord,
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
  /** How chunks other than the last are stored (chunk-format.ts); absent: as ArrayBuffers. */
  readonly sealedChunks?: () => Promise<BodyFormat>;
}

/** Attempts of a removal whose chunks another writer changed between its read and its write. */
const REMOVE_ATTEMPTS = 5;

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

  private async sealedFormat(): Promise<BodyFormat> {
    return (await this.deps.sealedChunks?.()) ?? 'arraybuffer';
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
    return this.withWriteLock(async () => {
      const sealed = await this.sealedFormat();
      return transact(this.db, [META_STORE, PHOTO_STORE, CHUNK_STORE], 'readwrite', `Saving photos to library "${this.name}"`, async (tx) => {
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
        // Counted before this write's puts: requests run in order within the transaction.
        const [countBefore, last] = await Promise.all([storedCount(meta, photoStore), request(chunkStore.get(meta.lastChunk)) as Promise<ChunkRecord | undefined>]);
        const data = new Float32Array(keep.length * space.dim);
        keep.forEach((src, i) => data.set(rows.subarray(src * space.dim, (src + 1) * space.dim), i * space.dim));
        const ids = keep.map((i) => (photos[i] as NewPhoto).id);
        // A sealed last chunk (never written so, but cheap to honour) is left as it is.
        const appended = last && last.data instanceof Blob
          ? appendRows(undefined, meta.lastChunk + 1, { ids, data }, space.dim, this.chunkRows)
          : appendRows(last as ChunkRows | undefined, meta.lastChunk, { ids, data }, space.dim, this.chunkRows);
        for (const chunk of appended.chunks) chunkStore.put(stored(chunk, appended.lastChunk, sealed));
        keep.forEach((src, i) => {
          const record: PhotoRecord = { ...(photos[src] as NewPhoto), seq: meta.nextSeq + i, chunk: appended.chunkOfRow[i] as number };
          photoStore.put(record);
        });
        const next: LibraryMeta = {
          ...meta, model: space.model, dtype: space.dtype, dim: space.dim,
          generation: meta.generation + 1, nextSeq: meta.nextSeq + keep.length, lastChunk: appended.lastChunk,
          count: countBefore + keep.length,
        };
        tx.objectStore(META_STORE).put(next, META_KEY);
        return { added: ids, skipped, generationBefore: meta.generation, generationAfter: next.generation };
      });
    });
  }

  /**
   * All embedding chunks in insertion order with the generation they belong to, in one transaction.
   * Every chunk is its own request, all made up front: measured faster than one getAll (the
   * database starts delivering while it reads the rest). Sealed chunks' bytes are read after the
   * transaction (a Blob stays readable; awaiting it inside would end the transaction).
   */
  async readAll(): Promise<{ meta: LibraryMeta; chunks: ChunkRows[] }> {
    const { meta, chunks } = await this.readChunks();
    return { meta, chunks: await Promise.all(chunks) };
  }

  /**
   * readAll() with each chunk's bytes on their own promise, all reads started at once: sealed
   * chunks are read by the browser off this thread, so the caller can work on the first rows
   * while the others arrive. `rows` counts the rows of all chunks.
   */
  async readChunks(): Promise<{ meta: LibraryMeta; rows: number; chunks: Promise<ChunkRows>[] }> {
    const { meta, chunks } = await transact(this.db, [META_STORE, CHUNK_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => {
      const store = tx.objectStore(CHUNK_STORE);
      const [meta, keys] = await Promise.all([readMeta(tx), request(store.getAllKeys())]);
      return { meta, chunks: (await Promise.all(keys.map((key) => request(store.get(key))))) as ChunkRecord[] };
    });
    const loading = this.loaded(chunks);
    // A failed read rejects the promise its caller awaits; the ones after it are not awaited then.
    for (const p of loading) p.catch(() => undefined);
    return { meta, rows: chunks.reduce((n, c) => n + c.ids.length, 0), chunks: loading };
  }

  /** Bytes the embedding chunks take (rows and ids as UTF-16), without reading sealed rows. */
  embeddingBytes(): Promise<number> {
    return transact(this.db, [CHUNK_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => {
      const chunks = (await request(tx.objectStore(CHUNK_STORE).getAll())) as ChunkRecord[];
      return chunks.reduce((n, c) => n + (c.data instanceof Blob ? c.data.size : c.data.byteLength) + c.ids.reduce((s, id) => s + id.length * 2, 0), 0);
    });
  }

  private loaded(chunks: readonly ChunkRecord[]): Promise<ChunkRows>[] {
    return chunks.map(async (c) => {
      try {
        return { chunk: c.chunk, ids: c.ids, data: await chunkBytes(c.data) };
      } catch (err) {
        throw storageError(`Reading library "${this.name}"`, err);
      }
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
  async get(id: string): Promise<{ photo: PhotoRecord; embedding: Float32Array } | undefined> {
    const found = await transact(this.db, [META_STORE, PHOTO_STORE, CHUNK_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => {
      const photo = (await request(tx.objectStore(PHOTO_STORE).get(id))) as PhotoRecord | undefined;
      if (!photo) return undefined;
      const [meta, chunk] = await Promise.all([readMeta(tx), request(tx.objectStore(CHUNK_STORE).get(photo.chunk)) as Promise<ChunkRecord | undefined>]);
      const row = chunk?.ids.indexOf(id) ?? -1;
      if (!chunk || row < 0) throw new SiglipError('STORAGE', `Library "${this.name}" is inconsistent: photo ${id} has no embedding`);
      return { photo, data: chunk.data, row, dim: meta.dim ?? 0 };
    });
    if (!found) return undefined;
    const { photo, data, row, dim } = found;
    const bytes = data instanceof Blob ? await this.loadedRow(data, row, dim) : data.slice(row * dim * 4, (row + 1) * dim * 4);
    return { photo, embedding: new Float32Array(bytes) };
  }

  private async loadedRow(data: Blob, row: number, dim: number): Promise<ArrayBuffer> {
    try {
      return await data.slice(row * dim * 4, (row + 1) * dim * 4).arrayBuffer();
    } catch (err) {
      throw storageError(`Reading library "${this.name}"`, err);
    }
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
    return transact(this.db, [META_STORE, PHOTO_STORE], 'readonly', `Reading library "${this.name}"`, async (tx) => storedCount(await readMeta(tx), tx.objectStore(PHOTO_STORE)));
  }

  /**
   * Removes photos and their rows. The affected chunks are read first (a sealed chunk's bytes
   * cannot be awaited inside a write transaction), then rewritten together with the photo and
   * meta records in one transaction, which only commits if no other write came in between.
   */
  remove(ids: readonly string[]): Promise<number> {
    const unique = [...new Set(ids)];
    return this.withWriteLock(async () => {
      const sealed = await this.sealedFormat();
      for (let attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
        const plan = await this.removalPlan(unique);
        if (!plan) return 0;
        const removed = await transact(this.db, [META_STORE, PHOTO_STORE, CHUNK_STORE], 'readwrite', `Removing photos from library "${this.name}"`, async (tx) => {
          const meta = await readMeta(tx);
          if (meta.generation !== plan.meta.generation) return undefined;
          const chunkStore = tx.objectStore(CHUNK_STORE);
          for (const { chunk, remove } of plan.chunks) {
            const kept = removeRows(chunk, remove, meta.dim ?? 0);
            if (kept.ids.length === 0 && chunk.chunk !== meta.lastChunk) chunkStore.delete(chunk.chunk);
            else chunkStore.put(stored(kept, meta.lastChunk, sealed));
          }
          const photoStore = tx.objectStore(PHOTO_STORE);
          const count = (await storedCount(meta, photoStore)) - plan.records.length;
          for (const r of plan.records) photoStore.delete(r.id);
          tx.objectStore(META_STORE).put({ ...meta, generation: meta.generation + 1, count }, META_KEY);
          return plan.records.length;
        });
        if (removed !== undefined) return removed;
      }
      throw new SiglipError('STORAGE', `Removing photos from library "${this.name}": other writes kept changing it; try again`);
    });
  }

  /** The stored photos among `ids` and the rows of their chunks, as of one generation. */
  private async removalPlan(ids: readonly string[]): Promise<{ meta: LibraryMeta; records: PhotoRecord[]; chunks: { chunk: ChunkRows; remove: Set<string> }[] } | undefined> {
    const found = await transact(this.db, [META_STORE, PHOTO_STORE, CHUNK_STORE], 'readonly', `Removing photos from library "${this.name}"`, async (tx) => {
      const meta = await readMeta(tx);
      const photoStore = tx.objectStore(PHOTO_STORE);
      const records = ((await Promise.all(ids.map((id) => request(photoStore.get(id))))) as (PhotoRecord | undefined)[]).filter((r): r is PhotoRecord => r !== undefined);
      const byChunk = new Map<number, Set<string>>();
      for (const r of records) byChunk.set(r.chunk, (byChunk.get(r.chunk) ?? new Set<string>()).add(r.id));
      const chunkStore = tx.objectStore(CHUNK_STORE);
      const chunks = await Promise.all([...byChunk].map(async ([n, remove]) => ({ chunk: (await request(chunkStore.get(n))) as ChunkRecord | undefined, remove })));
      return { meta, records, chunks };
    });
    if (found.records.length === 0) return undefined;
    const present = found.chunks.filter((c): c is { chunk: ChunkRecord; remove: Set<string> } => c.chunk !== undefined);
    const rows = await Promise.all(this.loaded(present.map((c) => c.chunk)));
    return { meta: found.meta, records: found.records, chunks: rows.map((chunk, i) => ({ chunk, remove: (present[i] as { remove: Set<string> }).remove })) };
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

/** The chunk as it is put: sealed as a Blob unless it is the one new rows are appended to. */
function stored(chunk: ChunkRows, lastChunk: number, sealed: BodyFormat): ChunkRecord {
  return chunk.chunk === lastChunk || sealed !== 'blob' ? chunk : { chunk: chunk.chunk, ids: chunk.ids, data: new Blob([chunk.data]) };
}

/** The photo count the meta record keeps, counted in the store for a library that predates it. */
async function storedCount(meta: LibraryMeta, photos: IDBObjectStore): Promise<number> {
  return meta.count ?? request(photos.count());
}

async function readMeta(tx: IDBTransaction): Promise<LibraryMeta> {
  const stored = (await request(tx.objectStore(META_STORE).get(META_KEY))) as LibraryMeta | undefined;
  return stored ?? emptyMeta();
}
