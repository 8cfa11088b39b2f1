/**
 * The page side of a photo library: validates arguments, streams sources to the engine in small
 * batches (a few in flight, so preprocessing of the next batch overlaps the current vision pass
 * while memory stays flat), reports progress, and turns per-photo failures into the AddReport.
 * Everything heavy (hashing, decoding, embedding, storage, scoring) happens in the engine.
 */
import type { LibraryItemOutcome, LibraryItemWire, LibraryOp, LibraryQueryWire, LibraryResult } from '../../protocol/library-wire.js';
import { SiglipError } from '../../errors.js';
import type {
  AddReport, LibraryAddOptions, LibraryHit, LibraryPhoto, LibraryProgress, LibrarySearchOptions, LibrarySource, LibraryTagOptions, LibraryUsage, PhotoLibrary,
} from '../../library-types.js';
import type { ImageInput, Score } from '../../types.js';
import { checkSignal, raceAbort, throwIfAborted } from '../abort.js';

function newJobId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
import { toWireImage } from '../image-input.js';
import { validateLabels, validateTemplate, validateTopk } from '../validate.js';
import { sourceStream, type SourceEntry } from './library-sources.js';
import { ProgressMeter } from './progress-meter.js';

/** Photos per engine call: one vision batch. */
export const ADD_BATCH = 8;
/** Engine calls in flight during add(): enough for the preprocessing worker to stay one batch ahead. */
export const ADD_DEPTH = 3;

/**
 * Size of the n-th batch of an add(): 1, 2, 4, then ADD_BATCH. Nothing overlaps the preprocessing
 * of the first batch, so a small one gets the vision pass going after one photo instead of eight
 * (about 3 s for 12 MP photos); later batches are full.
 */
export function addBatchSize(n: number): number {
  return Math.min(ADD_BATCH, 2 ** Math.min(n, 8));
}

/** Runs one library operation on the engine (retrying once on a restarted worker). */
export type LibraryCall = <O extends LibraryOp>(name: string, op: O) => Promise<LibraryResult<O>>;

export class PhotoLibraryClient implements PhotoLibrary {
  constructor(
    readonly name: string,
    private readonly call: LibraryCall,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Checks the library belongs to this model (LIBRARY_MISMATCH otherwise). */
  async open(): Promise<void> {
    await this.call(this.name, { op: 'open' });
  }

  count(): Promise<number> {
    return this.call(this.name, { op: 'count' });
  }

  async add(sources: LibrarySource | Iterable<LibrarySource> | AsyncIterable<LibrarySource> | FileSystemDirectoryHandle, options: LibraryAddOptions = {}): Promise<AddReport> {
    const signal = checkSignal(options.signal, 'add');
    throwIfAborted(signal, 'add()');
    if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new SiglipError('INVALID_INPUT', 'add(): onProgress must be a function');
    const stream = await sourceStream(sources);
    const meter = new ProgressMeter(stream.total, this.now);
    const ids: (string | undefined)[] = [];
    const failed: { index: number; entry: AddReport['failed'][number] }[] = [];
    const inFlight = new Set<Promise<void>>();
    let fatal: SiglipError | undefined;
    let index = 0;
    let batch: { item: LibraryItemWire; index: number }[] = [];
    let batches = 0;
    const job = newJobId();

    const settle = (entries: { name?: string; outcome: LibraryItemOutcome | SiglipError; index: number }[]): void => {
      for (const e of entries) {
        if (e.outcome instanceof SiglipError) {
          meter.record('failed');
          failed.push({ index: e.index, entry: { ...(e.name !== undefined ? { name: e.name } : {}), error: e.outcome } });
        } else if (e.outcome.status === 'failed') {
          meter.record('failed');
          failed.push({ index: e.index, entry: { ...(e.name !== undefined ? { name: e.name } : {}), error: SiglipError.fromSerialized(e.outcome.error) } });
        } else {
          meter.record(e.outcome.status);
          ids[e.index] = e.outcome.id;
        }
      }
      options.onProgress?.(meter.snapshot(entries[entries.length - 1]?.name));
    };

    const send = (items: { item: LibraryItemWire; index: number }[]): void => {
      const call = this.call(this.name, { op: 'add', items: items.map((b) => b.item), job }).then(
        (outcomes) => {
          if (signal?.aborted) return;
          settle(items.map((b, i) => ({ ...(b.item.name !== undefined ? { name: b.item.name } : {}), outcome: outcomes[i] as LibraryItemOutcome, index: b.index })));
        },
        (err: unknown) => {
          fatal ??= SiglipError.wrap('INTERNAL', 'add() failed', err);
        },
      );
      const tracked = call.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    };

    // On abort the engine drops this job's batches that have not reached their vision pass; add()
    // rejects once the in-flight ones settled, so nothing of this call is written afterwards.
    const onAbort = (): void => {
      void this.call(this.name, { op: 'cancel', job }).catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const entry of stream.entries as AsyncIterable<SourceEntry>) {
        if (fatal || signal?.aborted) break;
        const at = index++;
        if ('error' in entry) {
          settle([{ ...(entry.name !== undefined ? { name: entry.name } : {}), outcome: entry.error, index: at }]);
          continue;
        }
        batch.push({ item: entry.item, index: at });
        if (batch.length < addBatchSize(batches)) continue;
        batches++;
        send(batch);
        batch = [];
        while (inFlight.size >= ADD_DEPTH) await Promise.race(inFlight);
      }
      if (batch.length && !fatal && !signal?.aborted) send(batch);
      while (inFlight.size) await Promise.race(inFlight);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    throwIfAborted(signal, 'add()');
    if (fatal) throw fatal;
    const added = meter.added;
    // Batches finish out of order; the report follows source order.
    failed.sort((a, b) => a.index - b.index);
    return { added, skipped: meter.skipped, failed: failed.map((f) => f.entry), ids: ids.filter((id): id is string => id !== undefined) };
  }

  async search(query: string | ImageInput | Float32Array, options: LibrarySearchOptions = {}): Promise<LibraryHit[]> {
    const k = options.k === undefined ? 20 : validateTopk(options.k);
    const signal = checkSignal(options.signal, 'search');
    throwIfAborted(signal, 'search()');
    let wire: LibraryQueryWire;
    if (typeof query === 'string') {
      if (query.trim() === '') throw new SiglipError('INVALID_INPUT', 'search(): the text query is empty');
      const template = options.template === undefined ? null : options.template === false ? false : validateTemplate(options.template);
      wire = { kind: 'text', text: query, template };
    } else if (query instanceof Float32Array) {
      if (query.length === 0) throw new SiglipError('INVALID_INPUT', 'search(): the query vector is empty');
      wire = { kind: 'vector', vector: query };
    } else {
      wire = { kind: 'image', image: await toWireImage(query, 0) };
    }
    return raceAbort(this.call(this.name, { op: 'search', query: wire, k }), signal, 'search()');
  }

  tag(labels: string[], options: LibraryTagOptions = {}): Promise<Record<string, Score[]>> {
    if (!Array.isArray(labels)) throw new SiglipError('INVALID_INPUT', 'tag(labels): labels must be an array of strings, e.g. ["a cat", "a dog"]');
    const valid = validateLabels(labels);
    const template = options.template === undefined ? null : validateTemplate(options.template);
    const topk = options.topk === undefined ? null : validateTopk(options.topk);
    if (options.threshold !== undefined && (typeof options.threshold !== 'number' || Number.isNaN(options.threshold))) {
      throw new SiglipError('INVALID_INPUT', `tag(): threshold must be a number between 0 and 1, got ${String(options.threshold)}`);
    }
    if (options.ids !== undefined && (!Array.isArray(options.ids) || !options.ids.every((id) => typeof id === 'string'))) {
      throw new SiglipError('INVALID_INPUT', 'tag(): ids must be an array of photo ids (strings)');
    }
    return this.call(this.name, { op: 'tag', labels: valid, template, threshold: options.threshold ?? null, topk, ids: options.ids ?? null });
  }

  async get(id: string): Promise<LibraryPhoto | undefined> {
    if (typeof id !== 'string') throw new SiglipError('INVALID_INPUT', 'get(id): id must be a string');
    return (await this.call(this.name, { op: 'get', id })) ?? undefined;
  }

  list(options: { offset?: number; limit?: number } = {}): Promise<LibraryPhoto[]> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    for (const [key, v] of [['offset', offset], ['limit', limit]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new SiglipError('INVALID_INPUT', `list(): ${key} must be a non-negative integer, got ${String(v)}`);
    }
    return this.call(this.name, { op: 'list', offset, limit });
  }

  remove(ids: string[]): Promise<number> {
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw new SiglipError('INVALID_INPUT', 'remove(ids): ids must be an array of photo ids (strings)');
    return this.call(this.name, { op: 'remove', ids: [...ids] });
  }

  async clear(): Promise<void> {
    await this.call(this.name, { op: 'clear' });
  }

  usage(): Promise<LibraryUsage> {
    return this.call(this.name, { op: 'usage' });
  }

  export(): Promise<Blob> {
    return this.call(this.name, { op: 'export' });
  }

  async import(file: Blob, options: { onProgress?: (p: LibraryProgress) => void } = {}): Promise<number> {
    if (!(typeof Blob !== 'undefined' && file instanceof Blob)) throw new SiglipError('INVALID_INPUT', 'import(file): file must be a Blob or File (.safetensors)');
    const added = await this.call(this.name, { op: 'import', file });
    options.onProgress?.({ done: added, total: added, added, skipped: 0, failed: 0 });
    return added;
  }
}

