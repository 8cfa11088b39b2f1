/**
 * The one module that talks to transformers.js (and, through it, onnxruntime-web). The engine
 * creates one TransformersRuntime and passes it where it is needed; nothing else imports the library.
 */
import { AutoModel, SiglipTextModel, SiglipVisionModel, Tensor, env } from '@huggingface/transformers';
// The same onnxruntime module transformers.js imports, so a session made here starts its runtime.
import { InferenceSession } from 'onnxruntime-web/webgpu';
import { assetAnswerProblem, assetLoadError } from '../asset-errors.js';
import { SiglipError } from '../errors.js';
import type { ModelRef } from '../model-ref/model-ref.js';
import type { Device, Dtype, LoadProgress } from '../types.js';
import { wasmFileUrl } from './wasm-file-url.js';
import { identityModelBytes } from '../onnx/identity-model.js';

/**
 * transformers.js only loads models by hub id from `env.remoteHost`, and a browser cannot hand it an
 * arbitrary folder URL. We point remoteHost at a host that never resolves and route each request
 * ourselves, so hub ids and folder URLs go through one path (and one cache, one fetch we control).
 */
const ROUTE_HOST = 'https://siglip-web.route.invalid/';

/**
 * A fetch wrapper from the cache layer. transformers.js' requests and the engine's own (JSON files,
 * Range reads, the .wasm) get separate layers: transformers.js reads and writes the cache itself
 * through `env.customCache`, our own requests read through it.
 */
export type FetchLayer = (url: string, init: RequestInit | undefined, next: typeof fetch) => Promise<Response>;
const passThrough: FetchLayer = (url, init, next) => next(url, init);

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

export interface RuntimeConfig {
  /** Folder of the onnxruntime .wasm (absolute URL). */
  readonly wasmPaths: string;
  readonly numThreads: number;
  /** onnxruntime's `env.wasm.initTimeout`: a runtime start that takes longer rejects instead of hanging (0 = none). */
  readonly initTimeoutMs?: number;
  /** The network underneath the cache layers; default: the realm's fetch (tests pass a fake). */
  readonly fetch?: typeof fetch;
}

/** A loaded ONNX model as transformers.js returns it. */
export interface OnnxModel {
  (inputs: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  dispose(): Promise<unknown>;
}

export type { Tensor };

export interface SessionRequest {
  readonly device: Device;
  readonly dtype: Dtype;
  /** SiglipForImageClassification (one model.onnx with a head) instead of vision + text towers. */
  readonly isClassifier: boolean;
  readonly imageSize: { readonly width: number; readonly height: number };
  readonly progress: (p: TjsProgress) => void;
}

export interface Sessions {
  readonly vision: OnnxModel;
  readonly text?: OnnxModel;
}

interface LosableDevice {
  readonly lost: Promise<{ reason: string; message: string }>;
  destroy(): void;
}

type EnvFetch = typeof fetch & { readonly siglipBase?: typeof fetch };

/** Short stable key for a folder URL: the same folder always gets the same transformers.js model id. */
function routeKey(baseUrl: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < baseUrl.length; i++) h = Math.imul(h ^ baseUrl.charCodeAt(i), 0x01000193);
  return `m${(h >>> 0).toString(16)}`;
}

/**
 * The transformers.js runtime of one engine: its routes, fetch layers and onnxruntime settings.
 * transformers.js keeps its settings on one `env` per JS realm, so `useCache` (called at the start
 * of each load) makes this runtime the one that `env` calls into.
 */
export class TransformersRuntime {
  private readonly routes = new Map<string, string>();
  private transformersLayer: FetchLayer = passThrough;
  private engineLayer: FetchLayer = passThrough;
  private readonly wasmUrl: string | undefined;
  /** The fetch underneath every layer: the realm's own, never a wrapper we installed earlier. */
  private readonly baseFetch: typeof fetch;

  constructor(config: RuntimeConfig) {
    const current = env.fetch as EnvFetch | undefined;
    this.baseFetch = config.fetch ?? current?.siglipBase ?? current ?? ((...args) => globalThis.fetch(...args));
    const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown; numThreads?: number; proxy?: boolean; initTimeout?: number } };
    if (onnx.wasm) {
      // Explicit .wasm URL: never a CDN. See provideWasmBinary for why there is no .mjs.
      this.wasmUrl = wasmFileUrl(config.wasmPaths);
      onnx.wasm.wasmPaths = { wasm: this.wasmUrl };
      onnx.wasm.numThreads = config.numThreads;
      onnx.wasm.initTimeout = config.initTimeoutMs ?? 0;
      onnx.wasm.proxy = false;
    }
  }

  /**
   * Plugs `cache` into transformers.js as its custom cache (model files) and under our own fetches
   * (JSON files, the onnxruntime .wasm). `cache === null` loads uncached but keeps `guard` (integrity checks).
   */
  useCache(cache: RuntimeCache | null, guard: FetchLayer): void {
    const e = env as unknown as { useCustomCache: boolean; customCache: unknown; useBrowserCache: boolean };
    e.useBrowserCache = false;
    if (cache) {
      e.useCustomCache = true;
      e.customCache = {
        match: (key: string) => cache.match(this.unroute(key)),
        put: (key: string, response: Response) => cache.put(this.unroute(key), response),
        delete: (key: string) => cache.delete(this.unroute(key)),
      };
      this.transformersLayer = cache.guardedFetch;
      this.engineLayer = cache.cachedFetch;
    } else {
      e.useCustomCache = false;
      e.customCache = null;
      this.transformersLayer = guard;
      this.engineLayer = guard;
    }
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.remoteHost = ROUTE_HOST;
    env.remotePathTemplate = '{model}/';
    const routed = (input: string | URL | Request, init?: RequestInit) => this.transformersLayer(this.unroute(String(input)), init, this.baseFetch);
    env.fetch = Object.assign(routed, { siglipBase: this.baseFetch }) as EnvFetch;
  }

  /** Real URL for a routed URL (or the URL itself). */
  unroute(url: string): string {
    if (!url.startsWith(ROUTE_HOST)) return url;
    const rest = url.slice(ROUTE_HOST.length);
    const slash = rest.indexOf('/');
    const base = this.routes.get(slash < 0 ? rest : rest.slice(0, slash));
    if (!base) return url;
    return base + (slash < 0 ? '' : rest.slice(slash + 1));
  }

  /** The id to give transformers.js' from_pretrained for `model`. */
  routeFor(model: ModelRef): string {
    let key = routeKey(model.baseUrl);
    while (this.routes.has(key) && this.routes.get(key) !== model.baseUrl) key += 'x';
    this.routes.set(key, model.baseUrl);
    return key;
  }

  /** Fetch through the same layer transformers.js uses (cache, integrity checks). */
  readonly fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return this.engineLayer(url, init, this.baseFetch);
  };

  /**
   * The onnxruntime build bundled in the worker embeds its Emscripten factory (the .mjs). ORT uses
   * the embedded one when `wasmPaths` names only the .wasm, so nothing is imported from a URL: no
   * blob: URL (a page with `script-src 'self'` works; pthread workers start from this same-origin
   * script) and no request for the .mjs on later visits. The .wasm itself is handed over from our
   * cache as `wasmBinary`, so transformers.js' ensureWasmLoaded (which needs both paths) stays out of the way.
   * A missing or wrong file fails here as ASSET_LOAD naming the URL, instead of onnxruntime's
   * "no available backend found".
   */
  async provideWasmBinary(): Promise<void> {
    const wasm = (env.backends.onnx as { wasm?: { wasmBinary?: unknown } }).wasm;
    if (!wasm || wasm.wasmBinary !== undefined || this.wasmUrl === undefined) return;
    const url = this.wasmUrl;
    let response: Response;
    try {
      response = await this.engineLayer(url, undefined, this.baseFetch);
    } catch (err) {
      if (err instanceof SiglipError) throw err;
      throw assetLoadError('wasm', url, `could not be fetched (${err instanceof Error ? err.message : String(err)}; a CSP connect-src or CORS rule may block it)`);
    }
    const bytes = response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
    const problem = assetAnswerProblem('wasm', { status: response.status, contentType: response.headers.get('content-type'), ...(bytes ? { firstBytes: bytes } : {}) });
    if (problem !== undefined) throw assetLoadError('wasm', url, problem);
    wasm.wasmBinary = bytes;
  }

  /**
   * Starts onnxruntime's WebAssembly runtime (compile, thread workers) with a one-node model, so the
   * start is a step of its own that the page can time, apart from the size of the real model.
   */
  async startRuntime(): Promise<void> {
    const session = await InferenceSession.create(identityModelBytes(), { executionProviders: ['wasm'] });
    await session.release();
  }

  /**
   * Creates the sessions of `model` on one device. On WebGPU one forward pass is tried right away:
   * a session can be created on an adapter that then fails to run a kernel, and that should show
   * up as a fallback at load time, not as an error in the first call.
   */
  async loadSessions(model: ModelRef, request: SessionRequest): Promise<Sessions> {
    const id = this.routeFor(model);
    const common = { device: request.device, dtype: request.dtype, progress_callback: request.progress } as const;
    if (request.isClassifier) {
      // transformers.js has no SiglipForImageClassification; AutoModel runs model.onnx and returns logits.
      const vision = (await AutoModel.from_pretrained(id, common)) as unknown as OnnxModel;
      if (request.device === 'webgpu') await smokeTest(vision, request.imageSize);
      return { vision };
    }
    const [vision, text] = await Promise.allSettled([
      SiglipVisionModel.from_pretrained(id, common) as unknown as Promise<OnnxModel>,
      SiglipTextModel.from_pretrained(id, common) as unknown as Promise<OnnxModel>,
    ]);
    if (vision.status === 'rejected' || text.status === 'rejected') {
      if (vision.status === 'fulfilled') await vision.value.dispose();
      if (text.status === 'fulfilled') await text.value.dispose();
      throw vision.status === 'rejected' ? vision.reason : (text as PromiseRejectedResult).reason;
    }
    if (request.device === 'webgpu') {
      try {
        await smokeTest(vision.value, request.imageSize);
      } catch (err) {
        await vision.value.dispose();
        await text.value.dispose();
        throw err;
      }
    }
    return { vision: vision.value, text: text.value };
  }
}

async function smokeTest(model: OnnxModel, size: { readonly width: number; readonly height: number }): Promise<void> {
  await model({ pixel_values: floatTensor(new Float32Array(3 * size.width * size.height), [1, 3, size.height, size.width]) });
}

export function floatTensor(data: Float32Array, dims: number[]): Tensor {
  return new Tensor('float32', data, dims);
}

export function int64Tensor(data: BigInt64Array, dims: number[]): Tensor {
  return new Tensor('int64', data, dims);
}

/** Rows of a 2-D float tensor, copied out. */
export function tensorRows(t: Tensor): Float32Array[] {
  const [rows, cols] = t.dims as [number, number];
  const data = t.data as Float32Array;
  const out: Float32Array[] = [];
  for (let r = 0; r < rows; r++) out.push(data.slice(r * cols, (r + 1) * cols));
  return out;
}

/** onnxruntime-web publishes the GPUDevice it created on its env once the WebGPU EP is initialised. */
export function webGpuDevice(): LosableDevice | undefined {
  const onnx = env.backends.onnx as { webgpu?: { device?: LosableDevice } };
  const device = onnx.webgpu?.device;
  return device && typeof device === 'object' && 'lost' in device ? device : undefined;
}

export interface TjsProgress {
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
