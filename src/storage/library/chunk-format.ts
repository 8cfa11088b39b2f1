/**
 * Whether this realm's IndexedDB keeps Blob values, asked once in a database of its own: WebKit's
 * ephemeral sessions (Safari Private Browsing, automation) refuse Blobs and have been seen to leave
 * such a write pending, and a pending probe there can never block a library's transactions.
 * Chunks are sealed as Blobs only where they come back intact.
 */
import type { UseStore } from 'idb-keyval';
import { probeBodyFormat, type BodyFormat } from '../body-format.js';

const PROBE_DB = 'siglip-web-probe';
const PROBE_STORE = 'probe';
const PROBE_TIMEOUT_MS = 5000;

function openProbeDb(idb: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = idb.open(PROBE_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(PROBE_STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function storeOf(db: IDBDatabase): UseStore {
  return (mode, callback) => Promise.resolve().then(() => callback(db.transaction(PROBE_STORE, mode).objectStore(PROBE_STORE)));
}

/** 'blob' when a Blob round-trips through IndexedDB here; 'arraybuffer' otherwise (refused, failed or no answer in time). */
export function probeChunkFormat(idb: IDBFactory, timeoutMs = PROBE_TIMEOUT_MS): Promise<BodyFormat> {
  const probe = (async (): Promise<BodyFormat> => {
    const db = await openProbeDb(idb);
    try {
      return (await probeBodyFormat(storeOf(db))).format === 'blob' ? 'blob' : 'arraybuffer';
    } finally {
      db.close();
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<BodyFormat>((resolve) => {
    timer = setTimeout(() => resolve('arraybuffer'), timeoutMs);
  });
  return Promise.race([probe.catch((): BodyFormat => 'arraybuffer'), late]).finally(() => clearTimeout(timer));
}

/** The chunk's bytes, whichever way it was stored. */
export async function chunkBytes(data: ArrayBuffer | Blob): Promise<ArrayBuffer> {
  return data instanceof Blob ? data.arrayBuffer() : data;
}
