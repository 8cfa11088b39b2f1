import { SiglipError } from '../errors.js';
import type { CacheWarning, CacheWarningCode, Dtype } from '../types.js';
import { RECORD_VERSION, fileKey, isLogitRecord, locate, logitKey, manifestKey, type FileKind, type FileRecord, type LogitRecord, type ManifestRecord } from './cache-records.js';
import { deleteFile, readFile, readMany, writeFile, writeMany, type UseStore } from './idb-store.js';
import { checkLength, declaredLength, expectsNonHtml, isQuotaError, looksLikeHtml, serverSha256 } from './response-checks.js';
import { Sha256, sha256OfBlob } from './sha256-stream.js';
import { encodeBody, probeBodyFormat, type BodyFormat } from './body-format.js';

/** What the network guard saw of one download; `put` stores a body only against a complete record. */
interface DownloadRecord {
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly etag?: string;
  readonly serverSha256?: string;
  received: number;
  sha256?: string;
  complete: boolean;
}

interface Folder {
  readonly kind: FileKind;
  readonly model: string;
}

type FileSource = 'network' | 'cache';

/** How long opening IndexedDB may take before we treat it as unavailable (blocked upgrades can hang forever). */
const OPEN_TIMEOUT_MS = 5000;

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Model files in IndexedDB, plugged into transformers.js as `env.customCache` (match/put/delete) and
 * into our own fetches (JSON files). Invariants:
 *  - a body is stored only after it arrived whole (length = Content-Length, server sha256 if given
 *    matches), with status 200 and not HTML; metadata and body are written in one transaction;
 *  - a stored entry whose size (always) or sha256 (with `verify`) is wrong is deleted, not served;
 *  - storage problems never fail a load: the SDK runs uncached and reports one warning per kind.
 */
export class ModelFileCache {
  private enabled = false;
  private writable = false;
  private verify = false;
  private format: BodyFormat = 'blob';
  private probed: Promise<boolean> | undefined;
  private readonly folders = new Map<string, Folder>();
  private readonly downloads = new Map<string, DownloadRecord>();
  private readonly sources = new Map<string, FileSource>();
  private readonly stored = new Set<string>();
  private readonly warned = new Set<CacheWarningCode>();
  private readonly listeners = new Set<(w: CacheWarning) => void>();

  constructor(private readonly store: UseStore) {}

  /** Turns the cache on or off for the next loads; resolves false (after warning) when IndexedDB is unusable. */
  async configure(options: { enabled: boolean; verify: boolean }): Promise<boolean> {
    this.verify = options.verify;
    // Each load reports each kind of problem once (a new instance is a new audience).
    this.warned.clear();
    if (!options.enabled) {
      this.enabled = false;
      this.writable = false;
      return false;
    }
    this.probed ??= this.probe();
    this.enabled = await this.probed;
    this.writable = this.enabled;
    return this.enabled;
  }

  private async probe(): Promise<boolean> {
    try {
      await timeout(readMany([logitKey('probe')], this.store), OPEN_TIMEOUT_MS, 'IndexedDB');
    } catch (err) {
      this.warn('CACHE_UNAVAILABLE', `IndexedDB is unavailable (${describe(err)}); models load from the network on every visit`);
      return false;
    }
    try {
      // Once per realm: learn whether bodies can be stored before a large write fails (or hangs).
      const probe = await probeBodyFormat(this.store);
      if (probe.format !== 'none') {
        this.format = probe.format;
        return true;
      }
      this.warn('CACHE_UNAVAILABLE', `This browser's storage refuses model files (${probe.reason}), as in private browsing; the model works but is downloaded again on every visit`);
      return false;
    } catch (err) {
      this.warn('CACHE_UNAVAILABLE', `IndexedDB is unavailable (${describe(err)}); models load from the network on every visit`);
      return false;
    }
  }

  /** Folders whose files may be cached; everything else (images, other hosts) passes through untouched. */
  registerFolder(baseUrl: string, kind: FileKind, model: string): void {
    this.folders.set(baseUrl, { kind, model });
  }

  onWarning(listener: (w: CacheWarning) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Where a file of this session came from (for LoadProgress.source). */
  sourceOf(url: string): FileSource | undefined {
    return this.sources.get(url);
  }

  private warn(code: CacheWarningCode, message: string, url?: string): void {
    if (this.warned.has(code)) return;
    this.warned.add(code);
    const warning: CacheWarning = url === undefined ? { code, message } : { code, message, url };
    for (const l of this.listeners) l(warning);
  }

  private cacheable(url: string, init: RequestInit | undefined): boolean {
    if (!/^https?:/i.test(url) || locate(url, this.folders.keys()) === undefined) return false;
    const method = (init?.method ?? 'GET').toUpperCase();
    // A Range response is part of a file: caching it as the file is exactly the corruption we avoid.
    return method === 'GET' && !new Headers(init?.headers).has('range');
  }

  // ---- transformers.js CacheInterface -------------------------------------------------------------

  /** transformers.js also probes non-URL "local path" keys; only real URLs can be in the store. */
  match = async (url: string): Promise<Response | undefined> => {
    if (!this.enabled || !/^https?:/i.test(url)) return undefined;
    const hit = await this.read(url);
    if (!hit) return undefined;
    this.sources.set(url, 'cache');
    this.stored.add(url);
    return new Response(hit.body, { status: 200, headers: { 'content-type': hit.record.contentType, 'content-length': String(hit.body.size) } });
  };

  put = async (url: string, response: Response): Promise<void> => {
    if (!this.writable) return;
    let body: Blob;
    try {
      body = await response.blob();
    } catch {
      // The download broke off; the guard already turned that into the load error.
      return;
    }
    const download = this.downloads.get(url);
    this.downloads.delete(url);
    // Only bodies the guard watched arrive whole are stored (never a response from somewhere else).
    if (!download?.complete || download.status !== 200 || download.sha256 === undefined) return;
    if (body.size !== download.received) {
      this.warn('CACHE_INTEGRITY', `${url}: ${body.size} bytes handed to the cache, ${download.received} received; not stored`, url);
      return;
    }
    await this.write(url, body, download);
  };

  delete = async (url: string): Promise<boolean> => {
    try {
      await deleteFile(url, this.store);
      return true;
    } catch {
      return false;
    }
  };

  // ---- fetch layers -------------------------------------------------------------------------------

  /**
   * transformers.js' fetch: network only (it calls match/put itself), but guarded so a broken
   * download fails loudly instead of being zero-padded and cached.
   */
  guardedFetch = async (url: string, init: RequestInit | undefined, next: typeof fetch): Promise<Response> => {
    if (!this.cacheable(url, init)) return next(url, init);
    return this.fetchGuarded(url, init, next);
  };

  /** Our own fetches (config/tokenizer/preprocessor JSON): read through the cache. */
  cachedFetch = async (url: string, init: RequestInit | undefined, next: typeof fetch): Promise<Response> => {
    if (!this.cacheable(url, init)) return next(url, init);
    const hit = await this.match(url);
    if (hit) return hit;
    const response = await this.fetchGuarded(url, init, next);
    if (!response.ok || !this.writable) return response;
    const body = await response.blob();
    const download = this.downloads.get(url);
    this.downloads.delete(url);
    if (download?.complete && download.sha256 !== undefined && download.status === 200) await this.write(url, body, download);
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  private async fetchGuarded(url: string, init: RequestInit | undefined, next: typeof fetch): Promise<Response> {
    const response = await next(url, init);
    // Failed responses (e.g. 404 of an optional file) are not part of what this model needs.
    if (!response.ok || response.body === null) return response;
    this.sources.set(url, 'network');
    const contentType = response.headers.get('content-type') ?? '';
    const reader = response.body.getReader();
    const htmlError = (): SiglipError =>
      new SiglipError('MODEL_LOAD', `${url} answered HTTP ${response.status} with an HTML page (${contentType || 'no content type'}) instead of the file: wrong URL, a login page or a captive portal? Nothing was cached.`);
    const first = await reader.read();
    if (expectsNonHtml(url) && looksLikeHtml(first.done ? undefined : first.value, contentType)) {
      await reader.cancel().catch(() => undefined);
      throw htmlError();
    }
    const etag = response.headers.get('etag') ?? undefined;
    const fromServer = serverSha256(response.headers);
    const download: DownloadRecord = {
      url,
      status: response.status,
      contentType,
      ...(etag !== undefined ? { etag } : {}),
      ...(fromServer !== undefined ? { serverSha256: fromServer } : {}),
      received: 0,
      complete: false,
    };
    if (this.writable) this.downloads.set(url, download);
    const expected = declaredLength(response.headers);
    const hasher = new Sha256();
    const cancelled = (): void => { this.downloads.delete(url); };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (first.done) return;
        hasher.update(first.value);
        download.received += first.value.length;
        controller.enqueue(first.value);
      },
      pull: async (controller) => {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          this.downloads.delete(url);
          controller.error(new SiglipError('MODEL_LOAD', `Download of ${url} broke off after ${download.received}${expected !== undefined ? ` of ${expected}` : ''} bytes (${describe(err)}); nothing was cached, retry to download it again`, describe(err)));
          return;
        }
        if (!chunk.done) {
          hasher.update(chunk.value);
          download.received += chunk.value.length;
          controller.enqueue(chunk.value);
          return;
        }
        const problem = checkLength(download.received, expected);
        if (problem) {
          this.downloads.delete(url);
          controller.error(new SiglipError('MODEL_LOAD', `Download of ${url} ended after ${problem.received} bytes but the server announced ${problem.expected}; nothing was cached`));
          return;
        }
        download.sha256 = hasher.hex();
        if (download.serverSha256 !== undefined && download.serverSha256 !== download.sha256) {
          // The server's hash is authoritative for the bytes; they are not stored, and the load
          // carries on (a server may use a 64-hex ETag that is not a content hash).
          this.warn('CACHE_INTEGRITY', `${url}: sha256 ${download.sha256} differs from the server's ${download.serverSha256}; not cached`, url);
          this.downloads.delete(url);
        } else download.complete = true;
        controller.close();
      },
      cancel: async (reason) => {
        cancelled();
        await reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  // ---- storage ------------------------------------------------------------------------------------

  private async read(url: string): Promise<{ record: FileRecord; body: Blob } | undefined> {
    let found: Awaited<ReturnType<typeof readFile>>;
    try {
      found = await readFile(url, this.store);
    } catch (err) {
      this.warn('CACHE_UNAVAILABLE', `Reading the model cache failed (${describe(err)}); loading from the network`, url);
      return undefined;
    }
    if (found === 'missing') return undefined;
    let problem: string | undefined;
    if (found === 'partial') problem = 'metadata or body missing';
    else if (found.body.size !== found.record.size) problem = `stored body has ${found.body.size} bytes, expected ${found.record.size}`;
    else if (this.verify) {
      try {
        const actual = await sha256OfBlob(found.body);
        if (actual !== found.record.sha256) problem = `sha256 ${actual} differs from the stored ${found.record.sha256}`;
      } catch (err) {
        problem = `stored body is unreadable (${describe(err)})`;
      }
    }
    if (problem === undefined && found !== 'partial') return found;
    this.warn('CACHE_INTEGRITY', `Cached ${url} is corrupt (${problem}); deleted and downloaded again`, url);
    await deleteFile(url, this.store).catch(() => undefined);
    return undefined;
  }

  private async write(url: string, body: Blob, download: DownloadRecord): Promise<void> {
    if (!this.writable) return;
    const where = locate(url, this.folders.keys());
    if (!where || download.sha256 === undefined) return;
    const folder = this.folders.get(where.baseUrl) as Folder;
    const record: FileRecord = {
      v: RECORD_VERSION,
      url,
      kind: folder.kind,
      model: folder.model,
      baseUrl: where.baseUrl,
      file: where.file,
      size: body.size,
      contentType: download.contentType,
      ...(download.etag !== undefined ? { etag: download.etag } : {}),
      sha256: download.sha256,
      sha256FromServer: download.serverSha256 === download.sha256,
      storedAt: Date.now(),
    };
    try {
      await writeFile(record, await encodeBody(body, this.format), this.store);
      this.stored.add(url);
    } catch (err) {
      if (isQuotaError(err)) {
        // Later files would fail the same way; stop trying (each attempt copies the body) and run uncached.
        this.writable = false;
        this.warn('CACHE_QUOTA', `Not enough storage to cache ${where.file} (${describe(err)}); the model works but will be downloaded again next time`, url);
      } else {
        this.warn('CACHE_WRITE_FAILED', `Could not cache ${where.file} (${describe(err)}); the model works but will be downloaded again next time`, url);
      }
    }
  }

  /** logit_scale/logit_bias are derived from Range reads of model.onnx: cache the result, not the ranges. */
  async logitParams<T extends { logitScaleExp: number; logitBias: number; source: string }>(baseUrl: string, compute: () => Promise<T>): Promise<{ logitScaleExp: number; logitBias: number; source: string }> {
    if (this.enabled) {
      try {
        const [record] = await readMany([logitKey(baseUrl)], this.store);
        if (isLogitRecord(record)) return { logitScaleExp: record.logitScaleExp, logitBias: record.logitBias, source: `${record.source} (cached)` };
      } catch {
        // Fall through to reading the model.
      }
    }
    const value = await compute();
    if (this.writable) {
      const folder = this.folders.get(baseUrl);
      const record: LogitRecord = { v: RECORD_VERSION, baseUrl, model: folder?.model ?? baseUrl, logitScaleExp: value.logitScaleExp, logitBias: value.logitBias, source: value.source, storedAt: Date.now() };
      await writeMany([[logitKey(baseUrl), record]], this.store).catch((err: unknown) => {
        if (isQuotaError(err)) this.warn('CACHE_QUOTA', `Not enough storage to cache model metadata (${describe(err)})`);
      });
    }
    return value;
  }

  /** Deletes the entries of `baseUrl` this session read from the cache; true when there were any. */
  async purgeServedFromCache(baseUrl: string): Promise<boolean> {
    const served = [...this.sources].filter(([u, s]) => s === 'cache' && u.startsWith(baseUrl)).map(([u]) => u);
    for (const url of served) {
      this.sources.delete(url);
      this.stored.delete(url);
      await deleteFile(url, this.store).catch(() => undefined);
    }
    if (served.length) this.warn('CACHE_INTEGRITY', `Cached files of ${baseUrl} did not load as a model; deleted, the next load downloads them again`);
    return served.length > 0;
  }

  /**
   * After a successful load: record which entries make this (model, dtype) loadable offline. Written
   * only when every file of the folder used in this session is stored, so `cache.has()` never lies.
   */
  async commitModel(baseUrl: string, dtype: Dtype, needsLogit: boolean): Promise<void> {
    if (!this.writable) return;
    const used = [...this.sources.keys()].filter((u) => u.startsWith(baseUrl));
    if (used.length === 0 || used.some((u) => !this.stored.has(u))) return;
    const keys = [...used.map(fileKey), ...(needsLogit ? [logitKey(baseUrl)] : [])];
    const record: ManifestRecord = { v: RECORD_VERSION, baseUrl, model: this.folders.get(baseUrl)?.model ?? baseUrl, dtype, keys, storedAt: Date.now() };
    await writeMany([[manifestKey(baseUrl, dtype), record]], this.store).catch(() => undefined);
  }
}

/** Load errors that mean "these bytes are not a valid model" (not GPU or network trouble). */
export function looksLikeCorruptModel(message: string): boolean {
  return /protobuf parsing failed|invalid protobuf|ModelProto|model.*(truncated|corrupt)/i.test(message);
}
