/**
 * The worker and the onnxruntime files ship next to the SDK script, so copying dist/ to any static
 * host works. In the drop-in build rollup rewrites import.meta.url to the loading <script>'s src.
 */
export const WORKER_FILE = 'siglip-web.worker.js';
export const WASM_DIR = 'ort/';

export function defaultWorkerUrl(): string {
  return new URL(`./${WORKER_FILE}`, import.meta.url).href;
}

export function defaultWasmPaths(workerUrl: string): string {
  return new URL(`./${WASM_DIR}`, workerUrl).href;
}

export function pageBaseHref(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}
