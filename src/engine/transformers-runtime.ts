import { env } from '@huggingface/transformers';
import type { LoadProgress } from '../types.js';

/**
 * transformers.js only loads models by hub id from `env.remoteHost`, and a browser cannot hand it an
 * arbitrary folder URL. We point remoteHost at a host that never resolves and route each request
 * ourselves, so hub ids and folder URLs go through one path (and one cache, one fetch we control).
 */
const ROUTE_HOST = 'https://siglip-web.route.invalid/';

const routes = new Map<string, string>();
let configured = false;
let realFetch: typeof fetch = (...args) => globalThis.fetch(...args);

export interface FetchObserver {
  (event: { url: string; file: string; source: 'network' | 'cache' }): void;
}

/** A fetch wrapper installed by the cache layer; identity by default. */
export type FetchLayer = (url: string, init: RequestInit | undefined, next: typeof fetch) => Promise<Response>;
let fetchLayer: FetchLayer = (url, init, next) => next(url, init);

export function setFetchLayer(layer: FetchLayer): void {
  fetchLayer = layer;
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

export function configureRuntime(config: RuntimeConfig): void {
  const onnx = env.backends.onnx as {
    wasm?: { wasmPaths?: unknown; numThreads?: number; proxy?: boolean };
    logLevel?: string;
  };
  if (onnx.wasm) {
    const base = config.wasmPaths.endsWith('/') ? config.wasmPaths : `${config.wasmPaths}/`;
    // Both files explicitly: transformers.js then fetches them itself (and caches them), never a CDN.
    onnx.wasm.wasmPaths = {
      mjs: `${base}ort-wasm-simd-threaded.asyncify.mjs`,
      wasm: `${base}ort-wasm-simd-threaded.asyncify.wasm`,
    };
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
  env.fetch = (input: string | URL, init?: RequestInit) => fetchLayer(unroute(String(input)), init, realFetch);
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
  return fetchLayer(url, init, realFetch);
};

interface TjsProgress {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

/** Adapts transformers.js' per-file callbacks to our LoadProgress with running totals. */
export function progressAggregator(onProgress: ((p: LoadProgress) => void) | undefined): (p: TjsProgress) => void {
  const files = new Map<string, { loaded: number; total: number }>();
  return (p) => {
    if (!onProgress || !p.file) return;
    if (p.status !== 'initiate' && p.status !== 'progress' && p.status !== 'done') return;
    const entry = files.get(p.file) ?? { loaded: 0, total: 0 };
    if (typeof p.loaded === 'number') entry.loaded = p.loaded;
    if (typeof p.total === 'number' && p.total > 0) entry.total = p.total;
    if (p.status === 'done' && entry.total > 0) entry.loaded = entry.total;
    files.set(p.file, entry);
    let totalLoaded = 0;
    let totalBytes = 0;
    for (const f of files.values()) {
      totalLoaded += f.loaded;
      totalBytes += f.total;
    }
    onProgress({ status: p.status, file: p.file, loaded: entry.loaded, total: entry.total, totalLoaded, totalBytes });
  };
}
