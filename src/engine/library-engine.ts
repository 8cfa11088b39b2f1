/**
 * The engine side of photo libraries: owns each open library's store and its in-memory matrix of
 * normalized embeddings, runs add/search/tag next to the model so neither embeddings nor scoring
 * ever touch the page's main thread.
 */
import { SiglipError, type SerializedSiglipError } from '../errors.js';
import type { LibraryHit, LibraryPhoto } from '../library-types.js';
import { EmbeddingMatrix, textScore, warmUpRanking } from '../scores/library-ranking.js';
import { decodeLibraryFile, encodeLibraryFile } from '../storage/library/library-file.js';
import type { PhotoRecord } from '../storage/library/library-records.js';
import { LibraryStore, mismatchError, type EmbeddingSpace, type NewPhoto, type StoreDeps } from '../storage/library/library-store.js';
import type { Score } from '../types.js';
import type { WireImage } from '../protocol/engine-protocol.js';
import type { CollectItem, CollectOutcome, ExistingIds } from './library-prepare.js';
import type { LibraryItemOutcome, LibraryItemWire, LibraryOp, LibraryQueryWire, LibraryResult, LibraryResults } from '../protocol/library-wire.js';

/** What the library code needs from the loaded model. */
export interface LibraryModelPort {
  readonly space: EmbeddingSpace;
  readonly template: string;
  readonly logit: { readonly scaleExp: number; readonly bias: number } | undefined;
  /**
   * Ids (given ids kept, others hashed), which are stored already, and pixel_values of the others,
   * in one call that runs off the engine thread when possible.
   */
  collect(items: readonly CollectItem[], library: { readonly name: string; readonly existing: ExistingIds }): Promise<CollectOutcome[]>;
  /** Raw pooled image features for stacked pixel_values of `count` photos. */
  vision(pixels: Float32Array, count: number): Promise<Float32Array[]>;
  imageFeatures(image: WireImage): Promise<Float32Array>;
  textFeatures(text: string, template: string | false): Promise<Float32Array>;
  /** Normalized label embeddings (the same cache classify uses). */
  labelEmbeddings(labels: string[], template: string): Promise<Float32Array[]>;
}

/** Rows per import transaction. */
const IMPORT_BATCH = 2048;

interface OpenLibrary {
  readonly store: LibraryStore;
  /** Settles when the latest add() has written: vision passes and writes keep arrival order. */
  addTurn: Promise<void>;
  matrix?: EmbeddingMatrix;
  generation: number;
  loading?: Promise<EmbeddingMatrix>;
}

/** Cancelled add() jobs remembered (their later batches are dropped); older ones are forgotten. */
const MAX_CANCELLED_JOBS = 256;

export class LibraryEngine {
  private readonly open = new Map<string, Promise<OpenLibrary>>();
  private readonly cancelled = new Set<string>();
  private rankingWarm = false;

  constructor(
    private readonly model: () => LibraryModelPort,
    private readonly deps: StoreDeps,
  ) {}

  async run<O extends LibraryOp>(name: string, op: O): Promise<LibraryResult<O>> {
    const lib = await this.library(name);
    const result = await this.dispatch(lib, op);
    return result as LibraryResult<O>;
  }

  private library(name: string): Promise<OpenLibrary> {
    let lib = this.open.get(name);
    if (!lib) {
      lib = LibraryStore.open(name, this.deps).then((store) => ({ store, generation: -1, addTurn: Promise.resolve() }));
      lib.catch(() => this.open.delete(name));
      this.open.set(name, lib);
    }
    return lib;
  }

  private async dispatch(lib: OpenLibrary, op: LibraryOp): Promise<LibraryResults[LibraryOp['op']]> {
    const m = this.model();
    switch (op.op) {
      case 'open': {
        const meta = await lib.store.checkSpace(m.space);
        const count = meta.count ?? (await lib.store.count());
        // Searching is what an opened library is for: its matrix starts loading now, not at the first query.
        if (count > 0) {
          this.matrix(lib, m.space).catch(() => undefined);
          // While the browser reads the chunks.
          this.warmRanking(m.space.dim);
        }
        return count;
      }
      case 'count':
        return lib.store.count();
      case 'add':
        return this.add(lib, m, op.items, op.job);
      case 'cancel':
        this.cancelled.add(op.job);
        if (this.cancelled.size > MAX_CANCELLED_JOBS) this.cancelled.delete(this.cancelled.values().next().value as string);
        return null;
      case 'search':
        return this.search(lib, m, op.query, op.k);
      case 'tag':
        return this.tag(lib, m, op);
      case 'get': {
        const found = await lib.store.get(op.id);
        return found ? { ...photoOf(found.photo), embedding: found.embedding } : null;
      }
      case 'list':
        return (await lib.store.readPhotos(op.offset, op.limit)).map(photoOf);
      case 'remove':
        return this.invalidateAfter(lib, lib.store.remove(op.ids));
      case 'clear':
        await this.invalidateAfter(lib, lib.store.clear());
        return null;
      case 'usage':
        return this.usage(lib);
      case 'export':
        return this.exportFile(lib, m);
      case 'import':
        return this.importFile(lib, m, op.file);
    }
  }

  private warmRanking(dim: number): void {
    if (this.rankingWarm) return;
    this.rankingWarm = true;
    warmUpRanking(dim);
  }

  private async invalidateAfter<T>(lib: OpenLibrary, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      lib.matrix = undefined;
      lib.generation = -1;
    }
  }

  /** The matrix for the library's current generation (reloaded when another tab or worker wrote). */
  private async matrix(lib: OpenLibrary, space: EmbeddingSpace): Promise<EmbeddingMatrix> {
    const meta = await lib.store.meta();
    if (meta.model !== undefined && (meta.model !== space.model || meta.dtype !== space.dtype || meta.dim !== space.dim)) {
      throw mismatchError(lib.store.name, meta, space);
    }
    if (lib.matrix && lib.generation === meta.generation) return lib.matrix;
    lib.loading ??= (async () => {
      try {
        const { meta: current, rows, chunks } = await lib.store.readChunks();
        // Rows are normalized chunk by chunk while the browser reads the next ones.
        const matrix = new EmbeddingMatrix(space.dim, Math.max(1, rows));
        for (const chunk of chunks) {
          const c = await chunk;
          matrix.append(c.ids, new Float32Array(c.data));
        }
        lib.matrix = matrix;
        lib.generation = current.generation;
        return matrix;
      } finally {
        lib.loading = undefined;
      }
    })();
    return lib.loading;
  }

  /**
   * Hashing and preprocessing of concurrent add() calls overlap; their vision passes and writes
   * run one after the other in arrival order, so photos are stored in the order they were given.
   */
  private async add(lib: OpenLibrary, m: LibraryModelPort, items: readonly LibraryItemWire[], job: string): Promise<LibraryItemOutcome[]> {
    const previous = lib.addTurn;
    let done!: () => void;
    lib.addTurn = new Promise<void>((resolve) => {
      done = resolve;
    });
    try {
      return await this.addInTurn(lib, m, items, previous, job);
    } finally {
      done();
    }
  }

  private async addInTurn(lib: OpenLibrary, m: LibraryModelPort, items: readonly LibraryItemWire[], turn: Promise<void>, job: string): Promise<LibraryItemOutcome[]> {
    const aborted = (): LibraryItemOutcome[] => items.map(() => ({ status: 'failed', error: new SiglipError('ABORTED', 'add() was aborted').toJSON() }));
    if (this.cancelled.has(job)) return aborted();
    const [, collected] = await Promise.all([
      lib.store.checkSpace(m.space),
      m.collect(
        items.map((it) => ({ blob: it.blob, ...(it.id !== undefined ? { id: it.id } : {}), ...(it.name !== undefined ? { name: it.name } : {}) })),
        { name: lib.store.name, existing: (ids) => lib.store.existing(ids) },
      ),
    ]);
    const outcomes: (LibraryItemOutcome | undefined)[] = new Array(items.length).fill(undefined);
    const ids: (string | undefined)[] = collected.map((c) => ('id' in c ? c.id : undefined));
    const ready: { index: number; pixels: Float32Array; width: number; height: number }[] = [];
    collected.forEach((c, index) => {
      if (c.status === 'failed') outcomes[index] = { status: 'failed', error: c.error };
      else if (c.status === 'skipped') outcomes[index] = { status: 'skipped', id: c.id };
      else ready.push({ index, pixels: c.pixels, width: c.width, height: c.height });
    });
    await turn;
    // An aborted job stops before its next vision pass; what was written stays (whole records).
    if (this.cancelled.has(job)) return aborted();
    if (ready.length) {
      const plane = (ready[0] as { pixels: Float32Array }).pixels.length;
      const stacked = new Float32Array(plane * ready.length);
      ready.forEach((r, j) => stacked.set(r.pixels, j * plane));
      const features = await m.vision(stacked, ready.length);
      const dim = m.space.dim;
      const rows = new Float32Array(ready.length * dim);
      features.forEach((f, j) => {
        if (f.length !== dim) throw new SiglipError('INFERENCE', `The vision model returned ${f.length} features, expected ${dim}`);
        rows.set(f, j * dim);
      });
      const now = Date.now();
      const photos: NewPhoto[] = ready.map((r) => {
        const item = items[r.index] as LibraryItemWire;
        return {
          id: ids[r.index] as string,
          ...(item.name !== undefined ? { name: item.name } : {}),
          type: item.type,
          size: item.blob.size,
          ...(item.lastModified !== undefined ? { lastModified: item.lastModified } : {}),
          width: r.width,
          height: r.height,
          addedAt: now,
        };
      });
      const written = await lib.store.write(photos, rows, m.space);
      const added = new Set(written.added);
      ready.forEach((r) => {
        const id = ids[r.index] as string;
        outcomes[r.index] = { status: added.has(id) ? 'added' : 'skipped', id };
      });
      if (lib.matrix && lib.generation === written.generationBefore && written.added.length) {
        // Our own write on top of the matrix we hold: append instead of reloading everything.
        const keep = ready.map((r, j) => ({ id: ids[r.index] as string, j })).filter(({ id }) => added.has(id));
        const data = new Float32Array(keep.length * dim);
        keep.forEach(({ j }, k) => data.set(rows.subarray(j * dim, (j + 1) * dim), k * dim));
        lib.matrix.append(keep.map((x) => x.id), data);
        lib.generation = written.generationAfter;
      }
    }
    return outcomes.map((o, i) => o ?? { status: 'skipped', id: ids[i] as string });
  }

  private async queryVector(m: LibraryModelPort, query: LibraryQueryWire): Promise<Float32Array> {
    switch (query.kind) {
      case 'text':
        return m.textFeatures(query.text, query.template === null ? m.template : query.template);
      case 'image':
        return m.imageFeatures(query.image);
      case 'vector':
        if (query.vector.length !== m.space.dim) {
          throw new SiglipError('INVALID_INPUT', `search(): the query vector has ${query.vector.length} dimensions, this library's model has ${m.space.dim}`);
        }
        return query.vector;
    }
  }

  private async search(lib: OpenLibrary, m: LibraryModelPort, query: LibraryQueryWire, k: number): Promise<LibraryHit[]> {
    // Matrix first, then the text tower: run side by side on few cores, onnxruntime's spinning
    // threads and the reading/normalizing of the matrix slow each other down more than they overlap.
    const matrix = await this.matrix(lib, m.space);
    const vector = await this.queryVector(m, query);
    const ranked = matrix.nearest(vector, k);
    const names = await this.namesOf(lib, ranked.map((r) => matrix.ids[r.row] as string));
    const logit = m.logit;
    return ranked.map((r, i) => {
      const id = matrix.ids[r.row] as string;
      const score = query.kind === 'text' && logit ? textScore(r.similarity, logit.scaleExp, logit.bias) : r.similarity;
      const name = names[i];
      return { id, ...(name !== undefined ? { name } : {}), similarity: r.similarity, score };
    });
  }

  private async namesOf(lib: OpenLibrary, ids: string[]): Promise<(string | undefined)[]> {
    // One transaction for all hits: a transaction per id costs more than the reads themselves.
    const photos = await lib.store.photos(ids);
    return photos.map((p) => p?.name);
  }

  private async tag(lib: OpenLibrary, m: LibraryModelPort, op: Extract<LibraryOp, { op: 'tag' }>): Promise<Record<string, Score[]>> {
    const logit = m.logit;
    if (!logit) throw new SiglipError('MODEL_UNSUPPORTED', 'tag() needs a zero-shot SigLIP model (this one has a classification head)');
    const template = op.template ?? m.template;
    const matrix = await this.matrix(lib, m.space); // before the text tower, as in search()
    const labelEmbeds = await m.labelEmbeddings(op.labels, template);
    let rows: number[] | undefined;
    if (op.ids) {
      rows = [];
      for (const id of op.ids) {
        const row = matrix.rowOf(id);
        if (row !== undefined) rows.push(row);
      }
    }
    const scores = matrix.tag(rows, labelEmbeds, op.labels, logit.scaleExp, logit.bias, op.topk ?? undefined, op.threshold ?? undefined);
    const out: Record<string, Score[]> = {};
    scores.forEach((s, i) => {
      out[matrix.ids[rows ? (rows[i] as number) : i] as string] = s;
    });
    return out;
  }

  private async usage(lib: OpenLibrary): Promise<{ photos: number; bytes: number }> {
    const [embeddingBytes, photos] = await Promise.all([lib.store.embeddingBytes(), lib.store.readPhotos()]);
    const recordBytes = photos.reduce((n, p) => n + JSON.stringify(p).length * 2, 0);
    return { photos: photos.length, bytes: embeddingBytes + recordBytes };
  }

  private async exportFile(lib: OpenLibrary, m: LibraryModelPort): Promise<Blob> {
    const [{ meta, chunks }, photos] = await Promise.all([lib.store.readAll(), lib.store.readPhotos()]);
    const dim = meta.dim ?? m.space.dim;
    const nameOf = new Map(photos.map((p) => [p.id, p.name ?? null]));
    const ids = chunks.flatMap((c) => c.ids);
    const embeddings = new Float32Array(ids.length * dim);
    let offset = 0;
    for (const c of chunks) {
      embeddings.set(new Float32Array(c.data), offset);
      offset += c.ids.length * dim;
    }
    return encodeLibraryFile({ model: meta.model ?? m.space.model, ids, names: ids.map((id) => nameOf.get(id) ?? null), dim, embeddings });
  }

  private async importFile(lib: OpenLibrary, m: LibraryModelPort, blob: Blob): Promise<number> {
    const file = await decodeLibraryFile(blob);
    if (file.dim !== m.space.dim) {
      throw new SiglipError('LIBRARY_MISMATCH', `The file holds ${file.dim}-dimensional embeddings (${file.model}) but this model (${m.space.model}) makes ${m.space.dim}-dimensional ones; import it with the model that wrote it`);
    }
    await lib.store.checkSpace(m.space);
    let added = 0;
    const now = Date.now();
    for (let start = 0; start < file.ids.length; start += IMPORT_BATCH) {
      const end = Math.min(file.ids.length, start + IMPORT_BATCH);
      const photos: NewPhoto[] = [];
      for (let i = start; i < end; i++) {
        const name = file.names[i];
        photos.push({ id: file.ids[i] as string, ...(name !== null && name !== undefined ? { name } : {}), addedAt: now });
      }
      const written = await this.invalidateAfter(lib, lib.store.write(photos, file.embeddings.subarray(start * file.dim, end * file.dim), m.space));
      added += written.added.length;
    }
    return added;
  }
}

function photoOf(r: PhotoRecord): LibraryPhoto {
  const { seq: _seq, chunk: _chunk, ...photo } = r;
  return photo;
}
