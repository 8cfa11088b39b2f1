/**
 * The heavy asset (transformers.js + onnxruntime-web + processors). Started as a module worker it
 * serves one engine over comlink; imported into a page (`worker: false`, processors) it only
 * exports, so inline mode and worker mode run the very same code.
 */
import { createEngine } from '../engine/siglip-engine.js';
export { loseWebGpuDeviceForTesting } from '../engine/siglip-engine.js';
import { exposeEngine } from './expose-engine.js';

export { createEngine };
export { decodeWireImage } from '../engine/decode-wire-image.js';
export { SiglipImageProcessor } from '../processors/image/image-processor.js';
export { SiglipTextProcessor } from '../processors/text/text-processor.js';

const scope = globalThis as { WorkerGlobalScope?: abstract new () => unknown };
if (typeof scope.WorkerGlobalScope !== 'undefined' && globalThis instanceof scope.WorkerGlobalScope) {
  exposeEngine(createEngine());
}
