import { SiglipError } from './errors.js';

/**
 * The SDK's own files (worker script, onnxruntime .wasm) are served by the app, so a wrong URL is a
 * deployment problem, not a model or browser problem. These checks turn the symptoms (a 404, or a
 * dev server answering index.html for a missing file) into one error that names the URL and the
 * option that fixes it, instead of onnxruntime's "no available backend found".
 */
export type SdkAsset = 'worker' | 'wasm';

const FIX: Record<SdkAsset, string> = {
  worker: 'Serve dist/siglip-web.worker.js from siglip-web at that URL, or pass { workerUrl } pointing at a copy of it',
  wasm: 'Serve dist/ort/ort-wasm-simd-threaded.asyncify.wasm from siglip-web at that URL, or pass { wasmPaths } (a folder or the full .wasm URL)',
};

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export function assetLoadError(asset: SdkAsset, url: string, problem: string): SiglipError {
  const what = asset === 'worker' ? 'siglip-web worker script' : 'onnxruntime .wasm';
  return new SiglipError('ASSET_LOAD', `The ${what} ${url} ${problem}. ${FIX[asset]}.`, problem);
}

/** The parts of the answer that can make a browser refuse an SDK asset. */
export interface AssetAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly firstBytes?: Uint8Array;
  /** Its Cross-Origin-Embedder-Policy header, and whether the page loading it is cross-origin isolated. */
  readonly embedderPolicy?: string | null;
  readonly pageIsolated?: boolean;
}

/** What is wrong with an answer for an SDK asset, or undefined if it looks right. */
export function assetAnswerProblem(asset: SdkAsset, answer: AssetAnswer): string | undefined {
  const { status, contentType, firstBytes } = answer;
  if (status < 200 || status > 299) return `answered HTTP ${status}`;
  if (/text\/html/i.test(contentType ?? '')) return 'answered an HTML page (often a dev server or SPA fallback for a missing file)';
  if (asset === 'wasm' && firstBytes && !WASM_MAGIC.every((b, i) => firstBytes[i] === b)) return 'is not a WebAssembly file';
  // A cross-origin isolated page may only start a worker whose own answer carries COEP.
  if (asset === 'worker' && answer.pageIsolated && !/require-corp|credentialless/i.test(answer.embedderPolicy ?? '')) {
    return 'is served without a Cross-Origin-Embedder-Policy header while this page is cross-origin isolated, so the browser blocks it as a worker; serve it with the same Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy headers as the page';
  }
  return undefined;
}

/** Fetches the asset once to say why it failed; undefined when it looks fine (the failure is elsewhere). */
export async function diagnoseAsset(asset: SdkAsset, url: string, fetchFn: typeof fetch = fetch): Promise<SiglipError | undefined> {
  let response: Response;
  try {
    response = await fetchFn(url, { cache: 'no-store' });
  } catch (err) {
    return assetLoadError(asset, url, `could not be fetched (${err instanceof Error ? err.message : String(err)}; a CSP connect-src or CORS rule may block it)`);
  }
  const bytes = asset === 'wasm' && response.ok ? new Uint8Array(await response.arrayBuffer()).subarray(0, 4) : undefined;
  if (!bytes) void response.body?.cancel().catch(() => undefined);
  const problem = assetAnswerProblem(asset, {
    status: response.status,
    contentType: response.headers.get('content-type'),
    ...(bytes ? { firstBytes: bytes } : {}),
    embedderPolicy: response.headers.get('cross-origin-embedder-policy'),
    pageIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
  });
  return problem === undefined ? undefined : assetLoadError(asset, url, problem);
}
