/**
 * The heavy asset (transformers.js + onnxruntime-web + processors). Started as a module worker it
 * serves one engine over comlink; imported into a page (`worker: false`, processors) it only
 * exports, so inline mode and worker mode run the very same code.
 */
import { createEngine } from '../engine/siglip-engine.js';
export { loseWebGpuDeviceForTesting } from '../engine/siglip-engine.js';
import { ENGINE_WORKER_NAME } from '../protocol/engine-protocol.js';
import { exposeEngine } from './expose-engine.js';

export { createEngine };
export { decodeWireImage } from '../engine/decode-wire-image.js';
export { SiglipImageProcessor } from '../processors/image/image-processor.js';
export { SiglipTextProcessor } from '../processors/text/text-processor.js';

// onnxruntime's bundled loader starts its WASM thread workers from this same script (its
// import.meta.url), so only the worker we started by name serves the engine; the thread workers
// just run onnxruntime.
const scope = globalThis as { WorkerGlobalScope?: abstract new () => unknown; name?: string };
if (typeof scope.WorkerGlobalScope !== 'undefined' && globalThis instanceof scope.WorkerGlobalScope && scope.name === ENGINE_WORKER_NAME) {
  exposeEngine(createEngine());
}
