/**
 * The worker and the onnxruntime .wasm ship in dist/ next to the SDK. Both URLs are written as
 * literal `new URL('./file', import.meta.url)` so every bundler (Vite, webpack, Turbopack, Rollup
 * plugins) recognises them, emits each file exactly once and rewrites the URL; a template literal
 * would make them glob the whole folder. In the drop-in IIFE build rollup rewrites import.meta.url to
 * the loading <script>'s src, so the files are found next to the script.
 *
 * Bundlers may turn these into root-relative URLs (Turbopack: `/_next/static/media/…`), so the
 * result is always resolved against the page to get an absolute URL the worker can use.
 */
export const WORKER_FILE = 'siglip-web.worker.js';
export const WASM_FILE = 'ort-wasm-simd-threaded.asyncify.wasm';

export function defaultWorkerUrl(): string {
  return absolute(new URL('./siglip-web.worker.js', import.meta.url));
}

/** Without a custom workerUrl the .wasm is the one the bundler emitted. */
export function defaultWasmUrl(): string {
  return absolute(new URL('./ort/ort-wasm-simd-threaded.asyncify.wasm', import.meta.url));
}

/** A self-hosted worker (options.workerUrl) finds the runtime in `ort/` next to it, as in dist/. */
export function wasmFolderNextTo(workerUrl: string): string {
  return new URL('./ort/', workerUrl).href;
}

export function pageBaseHref(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}

function absolute(url: URL | string): string {
  return new URL(String(url), pageBaseHref()).href;
}
