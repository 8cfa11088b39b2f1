/**
 * The CPU side of indexing one photo: read its bytes, hash them (the default id), decode like PIL
 * (EXIF orientation included) and resize/normalize to pixel_values. Runs in the preprocessing
 * worker so the engine worker's single ONNX thread stays busy with the vision pass.
 */
import { SiglipError, type SerializedSiglipError } from '../errors.js';
import { sha256OfBlob } from '../storage/sha256-stream.js';
import { CanvasReadback } from '../processors/image/canvas-readback.js';
import { decodeImagePixels, type ImageCodecs } from '../processors/image/decode-browser.js';
import type { SiglipImageProcessor } from '../processors/image/image-processor.js';

export interface PreparedPixels {
  /** 3 × H × W float32, this photo's slice of pixel_values. */
  readonly pixels: Float32Array;
  /** Size after EXIF orientation. */
  readonly width: number;
  readonly height: number;
}

export type PrepareOutcome = PreparedPixels | { readonly error: SerializedSiglipError };

/** One photo of an add() batch: its bytes and, when the caller gave one, its id. */
export interface CollectItem {
  readonly blob: Blob;
  readonly id?: string;
  readonly name?: string;
}

/** What a batch's CPU side made of each photo, in input order. */
export type CollectOutcome =
  | { readonly status: 'failed'; readonly error: SerializedSiglipError }
  /** Stored already, or repeated earlier in the batch. */
  | { readonly status: 'skipped'; readonly id: string }
  | ({ readonly status: 'ready'; readonly id: string } & PreparedPixels);

/** Which of `ids` the library already stores. */
export type ExistingIds = (ids: readonly string[]) => Promise<Set<string>>;

/** Default photo id: hex sha-256 of the bytes, so the same photo under any name is stored once. */
export async function photoIds(blobs: readonly (Blob | string)[]): Promise<(string | { error: SerializedSiglipError })[]> {
  return Promise.all(
    blobs.map(async (b) => {
      if (typeof b === 'string') return b;
      try {
        return await sha256OfBlob(b);
      } catch (err) {
        return { error: SiglipError.wrap('IMAGE_FETCH', 'Could not read the file (was it moved or deleted?)', err).toJSON() };
      }
    }),
  );
}

/**
 * Decodes and preprocesses photos one at a time, so at most one full-size bitmap is alive; the
 * canvas readback is reused across photos (pass the same one for every batch of a worker).
 */
export async function preparePixels(blobs: readonly Blob[], processor: SiglipImageProcessor, label: (i: number) => string, readback = new CanvasReadback(), codecs: ImageCodecs = {}): Promise<PrepareOutcome[]> {
  const out: PrepareOutcome[] = [];
  for (let i = 0; i < blobs.length; i++) {
    try {
      // The decoded RGBA (or RGB) bytes are resized in place: no RGB or rotated full-size copies.
      const source = await decodeImagePixels(blobs[i] as Blob, label(i), readback, codecs);
      const { pixelValues, width, height } = processor.processSource(source);
      out.push({ pixels: pixelValues, width, height });
    } catch (err) {
      const error = err instanceof SiglipError ? err : SiglipError.wrap('IMAGE_DECODE', `Could not decode ${label(i)}`, err);
      out.push({ error: error.toJSON() });
    }
  }
  return out;
}

/** A stored-id check slower than this is skipped: the write transaction dedupes anyway. */
const EXISTING_TIMEOUT_MS = 10_000;

/**
 * Which ids are stored, or none known when the check fails or hangs (IndexedDB in a nested worker
 * is a path browsers exercise little): only an optimization, the write transaction skips stored ids.
 */
async function storedOrNone(check: Promise<Set<string>>): Promise<Set<string>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Set<string>>((resolve) => {
    timer = setTimeout(() => resolve(new Set()), EXISTING_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check.catch(() => new Set<string>()), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The whole CPU side of one add() batch in one call: ids (hash), which are stored already, then
 * pixel_values of the new ones only. One call instead of three round trips through the engine,
 * whose thread is blocked by the current vision pass between them.
 */
export async function collectBatch(items: readonly CollectItem[], processor: SiglipImageProcessor, existing: ExistingIds, readback?: CanvasReadback, codecs: ImageCodecs = {}): Promise<CollectOutcome[]> {
  const ids = await photoIds(items.map((it) => it.id ?? it.blob));
  const known = await storedOrNone(existing(ids.filter((x): x is string => typeof x === 'string')));
  const out: (CollectOutcome | undefined)[] = new Array(items.length).fill(undefined);
  const seen = new Set<string>();
  const todo: number[] = [];
  ids.forEach((id, i) => {
    if (typeof id !== 'string') out[i] = { status: 'failed', error: id.error };
    else if (known.has(id) || seen.has(id)) out[i] = { status: 'skipped', id };
    else {
      seen.add(id);
      todo.push(i);
    }
  });
  const prepared = await preparePixels(todo.map((i) => (items[i] as CollectItem).blob), processor, (j) => items[todo[j] as number]?.name ?? `photo #${todo[j] as number}`, readback, codecs);
  prepared.forEach((p, j) => {
    const i = todo[j] as number;
    out[i] = 'error' in p ? { status: 'failed', error: p.error } : { status: 'ready', id: ids[i] as string, ...p };
  });
  return out as CollectOutcome[];
}

/**
 * collectBatch for one realm: batches are prepared one after the other (one core's work anyway)
 * so they can share one canvas readback, whose buffer each photo overwrites.
 */
export class BatchCollector {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly readback = new CanvasReadback();

  constructor(private readonly codecs: ImageCodecs = {}) {}

  collect(items: readonly CollectItem[], processor: SiglipImageProcessor, existing: ExistingIds): Promise<CollectOutcome[]> {
    const next = this.queue.then(() => collectBatch(items, processor, existing, this.readback, this.codecs));
    this.queue = next.catch(() => undefined);
    return next;
  }
}
