/**
 * Whether onnxruntime-web can really run multi-threaded here. `crossOriginIsolated` is not enough:
 * WebKitGTK reports it true under COOP/COEP yet has no `SharedArrayBuffer`, and onnxruntime then
 * silently falls back to one thread. What it needs is a shared WebAssembly.Memory whose buffer is a
 * SharedArrayBuffer, so that is what we try (a 64 KiB page, released at once).
 */
export function sharedMemoryWorks(scope: { SharedArrayBuffer?: unknown; WebAssembly?: typeof WebAssembly } = globalThis): boolean {
  const sab = scope.SharedArrayBuffer as (new (n: number) => ArrayBuffer) | undefined;
  if (typeof sab !== 'function' || scope.WebAssembly === undefined) return false;
  try {
    const memory = new scope.WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return memory.buffer instanceof sab;
  } catch {
    return false;
  }
}
