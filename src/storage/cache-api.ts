import type { CachedFile, CachedModel, CacheModelOptions, CacheUsage, Dtype, SiglipCache } from '../types.js';
import { dtypeOfFile, isFileRecord, isManifestRecord, type FileRecord, type ManifestRecord } from './cache-records.js';
import { allKeys, clearStore, deleteKeys, modelCacheStore, readMany, type UseStore } from './idb-store.js';

interface Snapshot {
  readonly keys: string[];
  readonly files: FileRecord[];
  readonly manifests: ManifestRecord[];
}

/** Metadata only: bodies (`body:` keys) are never read here, so listing 800 MB models costs nothing. */
async function snapshot(store: UseStore): Promise<Snapshot> {
  const keys = await allKeys(store);
  const metaKeys = keys.filter((k) => k.startsWith('file:') || k.startsWith('manifest:'));
  const values = await readMany(metaKeys, store);
  return { keys, files: values.filter(isFileRecord), manifests: values.filter(isManifestRecord) };
}

/** Model name (as given to createSiglip) -> folder URL its files were stored under; resolved by the caller's layer. */
export type ModelFolderResolver = (model: string, options: CacheModelOptions | undefined) => string;

function belongsTo(baseUrl: string, model: string): (r: { baseUrl: string; model: string }) => boolean {
  return (r) => r.baseUrl === baseUrl || r.model === model;
}

function complete(manifest: ManifestRecord, keys: ReadonlySet<string>): boolean {
  return manifest.keys.every((k) => keys.has(k) && (!k.startsWith('file:') || keys.has(`body:${k.slice(5)}`)));
}

function toCachedFile(r: FileRecord): CachedFile {
  const dtype = dtypeOfFile(r.file);
  return { url: r.url, file: r.file, size: r.size, ...(dtype ? { dtype } : {}), contentType: r.contentType, sha256: r.sha256, storedAt: r.storedAt };
}

/**
 * Cache management over a given store (idb-keyval style). Storage knows nothing of hub ids or
 * pages: `baseUrlOf` (client/cache.ts passes the page's model resolution) names the folder.
 */
export function createCacheApi(baseUrlOf: ModelFolderResolver, store: () => UseStore = modelCacheStore): SiglipCache {
  return {
    async list(): Promise<CachedModel[]> {
      const snap = await snapshot(store());
      const keys = new Set(snap.keys);
      const byBase = new Map<string, FileRecord[]>();
      for (const f of snap.files) byBase.set(f.baseUrl, [...(byBase.get(f.baseUrl) ?? []), f]);
      return [...byBase.entries()].map(([baseUrl, records]) => {
        const first = records[0] as FileRecord;
        const dtypes = snap.manifests.filter((m) => m.baseUrl === baseUrl && complete(m, keys)).map((m) => m.dtype);
        return {
          model: first.model,
          baseUrl,
          kind: first.kind,
          files: records.map(toCachedFile).sort((a, b) => a.file.localeCompare(b.file)),
          size: records.reduce((n, r) => n + r.size, 0),
          dtypes: [...new Set(dtypes)].sort(),
          storedAt: Math.max(...records.map((r) => r.storedAt)),
        };
      });
    },

    async usage(): Promise<CacheUsage> {
      const snap = await snapshot(store());
      const bytes = snap.files.reduce((n, r) => n + r.size, 0);
      const storage = (globalThis.navigator as { storage?: StorageManager } | undefined)?.storage;
      const estimate = await storage?.estimate?.().catch(() => undefined);
      const persisted = await storage?.persisted?.().catch(() => undefined);
      return {
        bytes,
        ...(estimate?.usage !== undefined ? { usage: estimate.usage } : {}),
        ...(estimate?.quota !== undefined ? { quota: estimate.quota } : {}),
        ...(persisted !== undefined ? { persisted } : {}),
      };
    },

    async has(model: string, options?: CacheModelOptions & { dtype?: Dtype }): Promise<boolean> {
      const baseUrl = baseUrlOf(model, options);
      const snap = await snapshot(store());
      const keys = new Set(snap.keys);
      return snap.manifests.some((m) => m.baseUrl === baseUrl && (options?.dtype === undefined || m.dtype === options.dtype) && complete(m, keys));
    },

    async delete(model: string, options?: CacheModelOptions): Promise<number> {
      const baseUrl = baseUrlOf(model, options);
      const snap = await snapshot(store());
      const match = belongsTo(baseUrl, model);
      const files = snap.files.filter((f) => f.kind === 'model' && match(f));
      const bases = new Set([baseUrl, ...files.map((f) => f.baseUrl)]);
      const doomed = snap.keys.filter((k) => {
        if (k.startsWith('file:') || k.startsWith('body:')) return files.some((f) => f.url === k.slice(5));
        if (k.startsWith('logit:')) return bases.has(k.slice(6));
        if (k.startsWith('manifest:')) return bases.has(k.slice(9, k.lastIndexOf('|')));
        return false;
      });
      if (doomed.length) await deleteKeys(doomed, store());
      return files.reduce((n, f) => n + f.size, 0);
    },

    async clear(): Promise<void> {
      await clearStore(store());
    },
  };
}
