/** The onnxruntime build bundled into the worker: one .wasm, its JS factory is embedded. */
export const ORT_WASM_FILE = 'ort-wasm-simd-threaded.asyncify.wasm';

/**
 * `wasmPaths` may name the folder holding the runtime (CDN/self-hosted copy of dist/ort/) or the
 * .wasm file itself (what a bundler emits, often under a hashed name).
 */
export function wasmFileUrl(wasmPaths: string): string {
  const path = wasmPaths.split(/[?#]/)[0] ?? wasmPaths;
  if (/\.wasm$/i.test(path)) return wasmPaths;
  return `${wasmPaths.endsWith('/') ? wasmPaths : `${wasmPaths}/`}${ORT_WASM_FILE}`;
}

/** The folder the .wasm is served from, for the cache's records. */
export function wasmFolderUrl(wasmPaths: string): string {
  return new URL('./', wasmFileUrl(wasmPaths)).href;
}
