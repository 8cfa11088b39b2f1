import { del, get, set, type UseStore } from 'idb-keyval';

/**
 * How file bodies are stored. Blobs are the default: Chromium's in-memory (incognito) IndexedDB
 * rejects single ArrayBuffers over ~127 MiB but takes Blobs of any size. WebKit's ephemeral sessions
 * (Safari Private Browsing, WebDriver automation) do the opposite: every Blob is refused with
 * "UnknownError: Error preparing Blob/File data to be stored in object store", while ArrayBuffers work.
 */
export type BodyFormat = 'blob' | 'arraybuffer';

export type BodyFormatProbe =
  | { readonly format: BodyFormat; readonly blobRefusal?: string }
  | { readonly format: 'none'; readonly reason: string };

const PROBE_KEY = 'probe:body';
const PROBE_BYTES = [115, 105, 103, 108, 105, 112];

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

async function roundTrip(store: UseStore, value: Blob | ArrayBuffer): Promise<void> {
  try {
    await set(PROBE_KEY, value, store);
    const back: unknown = await get(PROBE_KEY, store);
    const size = back instanceof Blob ? back.size : back instanceof ArrayBuffer ? back.byteLength : -1;
    if (size !== PROBE_BYTES.length) throw new Error(`a ${PROBE_BYTES.length}-byte test value came back as ${size < 0 ? typeof back : `${size} bytes`}`);
  } finally {
    await del(PROBE_KEY, store).catch(() => undefined);
  }
}

/**
 * Writes a tiny Blob (then, if refused, a tiny ArrayBuffer) and reads it back, once per realm and
 * store, before any real file is written: discovering the refusal on a 27 MB write is what used to
 * hang WebKit loads. The store should be a guarded one (store-guard.ts) so the probe cannot hang.
 */
export async function probeBodyFormat(store: UseStore): Promise<BodyFormatProbe> {
  let blobRefusal: string;
  try {
    await roundTrip(store, new Blob([new Uint8Array(PROBE_BYTES)]));
    return { format: 'blob' };
  } catch (err) {
    blobRefusal = describe(err);
  }
  try {
    await roundTrip(store, new Uint8Array(PROBE_BYTES).buffer);
    return { format: 'arraybuffer', blobRefusal };
  } catch (err) {
    return { format: 'none', reason: `files cannot be stored (Blob: ${blobRefusal}; ArrayBuffer: ${describe(err)})` };
  }
}

/** The value to store for a body in the probed format. */
export async function encodeBody(body: Blob, format: BodyFormat): Promise<Blob | ArrayBuffer> {
  return format === 'blob' ? body : body.arrayBuffer();
}

/** A stored body as a Blob, whichever format it was stored in; undefined for anything else. */
export function decodeBody(value: unknown, contentType: string): Blob | undefined {
  if (value instanceof Blob) return value;
  if (value instanceof ArrayBuffer) return new Blob([value], { type: contentType });
  return undefined;
}
