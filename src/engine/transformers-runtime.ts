import { env } from '@huggingface/transformers';
import type { LoadProgress } from '../types.js';
import { SiglipError } from '../errors.js';
import { assetAnswerProblem, assetLoadError } from '../asset-errors.js';
import { wasmFileUrl } from './wasm-file-url.js';

/**
 * transformers.js only loads models by hub id from `env.remoteHost`, and a browser cannot hand it an
 * arbitrary folder URL. We point remoteHost at a host that never resolves and route each request
 * ourselves, so hub ids and folder URLs go through one path (and one cache, one fetch we control).
 */
const ROUTE_HOST = 'https://siglip-web.route.invalid/';

const routes = new Map<string, string>();
let configured = false;
let realFetch: typeof fetch = (...args) => globalThis.fetch(...args);

/**
 * A fetch wrapper installed by the cache layer. transformers.js' requests and the engine's own
 * (JSON files, Range reads) get separate layers: transformers.js reads and writes the cache itself
 * through `env.customCache`, our own requests read through it.
 */
export type FetchLayer = (url: string, init: RequestInit | undefined, next: typeof fetch) => Promise<Response>;
const passThrough: FetchLayer = (url, init, next) => next(url, init);
let transformersFetchLayer: FetchLayer = passThrough;
let engineFetchLayer: FetchLayer = passThrough;

/** The cache as the runtime needs it; keys are real URLs (routed ones are unrouted before the call). */
export interface RuntimeCache {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
  delete(url: string): Promise<boolean>;
  /** Network fetch that refuses HTML/truncated bodies and remembers what arrived (for put). */
  guardedFetch: FetchLayer;
  /** Cache-first fetch for files transformers.js does not load itself. */
  cachedFetch: FetchLayer;
}

/**
 * Plugs `cache` into transformers.js as its custom cache (model files) and under our own fetches
 * (JSON files, the onnxruntime .wasm). `cache === null` loads uncached but keeps `guard` (integrity checks).
 */
export function installCache(cache: RuntimeCache | null, guard: FetchLayer): void {
  const e = env as unknown as { useCustomCache: boolean; customCache: unknown; useBrowserCache: boolean };
  e.useBrowserCache = false;
  if (cache) {
    e.useCustomCache = true;
    e.customCache = {
      match: (key: string) => cache.match(unroute(key)),
      put: (key: string, response: Response) => cache.put(unroute(key), response),
      delete: (key: string) => cache.delete(unroute(key)),
    };
    transformersFetchLayer = cache.guardedFetch;
    engineFetchLayer = cache.cachedFetch;
  } else {
    e.useCustomCache = false;
    e.customCache = null;
    transformersFetchLayer = guard;
    engineFetchLayer = guard;
  }
}

/** Real URL for a routed URL (or the URL itself). */
export function unroute(url: string): string {
  if (!url.startsWith(ROUTE_HOST)) return url;
  const rest = url.slice(ROUTE_HOST.length);
  const slash = rest.indexOf('/');
  const key = slash < 0 ? rest : rest.slice(0, slash);
  const base = routes.get(key);
  if (!base) return url;
  return base + (slash < 0 ? '' : rest.slice(slash + 1));
}

export interface RuntimeConfig {
  readonly wasmPaths: string;
  readonly numThreads: number;
}

/**
 * The onnxruntime build bundled in this file embeds its Emscripten factory (the .mjs). ORT uses the
 * embedded one when `wasmPaths` names only the .wasm, so nothing is imported from a URL: no blob:
 * URL (a page with `script-src 'self'` works; pthread workers start from this same-origin script)
 * and no request for the .mjs on later visits. The .wasm itself is handed over from our cache as
 * `wasmBinary` (provideWasmBinary), so transformers.js' ensureWasmLoaded (which needs both paths)
 * stays out of the way.
 */
let wasmUrl: string | undefined;

/**
 * Loads the onnxruntime .wasm through the engine's fetch layer (cache first) before the first session.
 * A missing or wrong file fails here as ASSET_LOAD naming the URL, instead of onnxruntime's
 * "no available backend found".
 */
export async function provideWasmBinary(): Promise<void> {
  const wasm = (env.backends.onnx as { wasm?: { wasmBinary?: unknown } }).wasm;
  if (!wasm || wasm.wasmBinary !== undefined || wasmUrl === undefined) return;
  const url = wasmUrl;
  let response: Response;
  try {
    response = await engineFetchLayer(url, undefined, realFetch);
  } catch (err) {
    if (err instanceof SiglipError) throw err;
    throw assetLoadError('wasm', url, `could not be fetched (${err instanceof Error ? err.message : String(err)}; a CSP connect-src or CORS rule may block it)`);
  }
  const bytes = response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
  const problem = assetAnswerProblem('wasm', response.status, response.headers.get('content-type'), bytes);
  if (problem !== undefined) throw assetLoadError('wasm', url, problem);
  wasm.wasmBinary = bytes;
}

export function configureRuntime(config: RuntimeConfig): void {
  const onnx = env.backends.onnx as {
    wasm?: { wasmPaths?: unknown; numThreads?: number; proxy?: boolean };
    logLevel?: string;
  };
  if (onnx.wasm) {
    // Explicit .wasm URL: never a CDN. See provideWasmBinary for why there is no .mjs.
    wasmUrl = wasmFileUrl(config.wasmPaths);
    onnx.wasm.wasmPaths = { wasm: wasmUrl };
    onnx.wasm.numThreads = config.numThreads;
    onnx.wasm.proxy = false;
  }
  if (configured) return;
  configured = true;
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = ROUTE_HOST;
  env.remotePathTemplate = '{model}/';
  env.useBrowserCache = false;
  realFetch = (env.fetch as typeof fetch | undefined) ?? realFetch;
  env.fetch = (input: string | URL, init?: RequestInit) => transformersFetchLayer(unroute(String(input)), init, realFetch);
}

/** Registers a model folder and returns the id to give transformers.js' from_pretrained. */
export function routeFor(baseUrl: string): string {
  for (const [key, value] of routes) if (value === baseUrl) return key;
  const key = `m${routes.size + 1}`;
  routes.set(key, baseUrl);
  return key;
}

/** Fetch through the same layer transformers.js uses (cache, integrity checks). */
export const runtimeFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return engineFetchLayer(url, init, realFetch);
};

interface TjsProgress {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

/**
 * Adapts transformers.js' per-file callbacks to our LoadProgress with running totals. `sourceOf`
 * tells whether a file (path inside the model folder) came from the cache or the network.
 */
export function progressAggregator(
  onProgress: ((p: LoadProgress) => void) | undefined,
  sourceOf?: (file: string) => 'network' | 'cache' | undefined,
): ((p: TjsProgress) => void) & { totals(): { totalLoaded: number; totalBytes: number } } {
  const files = new Map<string, { loaded: number; total: number }>();
  const totals = () => {
    let totalLoaded = 0;
    let totalBytes = 0;
    for (const f of files.values()) {
      totalLoaded += f.loaded;
      totalBytes += f.total;
    }
    return { totalLoaded, totalBytes };
  };
  const report = (p: TjsProgress): void => {
    if (!onProgress || !p.file) return;
    if (p.status !== 'initiate' && p.status !== 'progress' && p.status !== 'done') return;
    const entry = files.get(p.file) ?? { loaded: 0, total: 0 };
    if (typeof p.loaded === 'number') entry.loaded = p.loaded;
    if (typeof p.total === 'number' && p.total > 0) entry.total = p.total;
    if (p.status === 'done' && entry.total > 0) entry.loaded = entry.total;
    files.set(p.file, entry);
    const source = sourceOf?.(p.file);
    onProgress({ status: p.status, file: p.file, loaded: entry.loaded, total: entry.total, ...totals(), ...(source ? { source } : {}) });
  };
  return Object.assign(report, { totals });
}
