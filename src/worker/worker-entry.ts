/// <reference path="./openjpeg-wasm.d.ts" />
/**
 * The heavy asset (transformers.js + onnxruntime-web + processors). Started as a module worker it
 * serves one engine over comlink; imported into a page (`worker: false`, processors) it only
 * exports, so inline mode and worker mode run the very same code.
 */
import openjpegWasmBase64 from 'virtual:openjpeg-wasm';
import { decodeWireImage as decodeWireImageWith } from '../engine/decode-wire-image.js';
import { OpenJpegCodec } from '../engine/openjpeg-codec.js';
import { createEngine as createBareEngine } from '../engine/siglip-engine.js';
import type { ImageCodecs } from '../processors/image/decode-browser.js';
import type { EngineApi } from '../protocol/engine-protocol.js';
export { loseWebGpuDeviceForTesting } from '../engine/siglip-engine.js';
import { ENGINE_WORKER_NAME } from '../protocol/engine-protocol.js';
import { exposeEngine } from './expose-engine.js';
import { exposePreprocess } from './expose-preprocess.js';
import { PREPROCESS_WORKER_NAME, PreprocessWorker } from './preprocess-worker.js';

/** This realm's decoders for formats browsers lack; OpenJPEG is instantiated at the first JPEG 2000 photo. */
const codecs: ImageCodecs = { jpeg2000: new OpenJpegCodec(async () => base64Bytes(openjpegWasmBase64)) };

function base64Bytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The engine, with photo preprocessing in a helper worker started from this same script. */
export function createEngine(deps: Parameters<typeof createBareEngine>[0] = {}): EngineApi {
  return createBareEngine({ preprocess: () => new PreprocessWorker(import.meta.url), codecs, ...deps });
}

/** Decoding for the page's processors (inline): the same decoders as the engine's. */
export function decodeWireImage(image: Parameters<typeof decodeWireImageWith>[0], index: number): ReturnType<typeof decodeWireImageWith> {
  return decodeWireImageWith(image, index, codecs);
}
export { SiglipImageProcessor } from '../processors/image/image-processor.js';
export { SiglipTextProcessor } from '../processors/text/text-processor.js';

// onnxruntime's bundled loader starts its WASM thread workers from this same script (its
// import.meta.url), so only the worker we started by name serves the engine; the thread workers
// just run onnxruntime.
const scope = globalThis as { WorkerGlobalScope?: abstract new () => unknown; name?: string };
if (typeof scope.WorkerGlobalScope !== 'undefined' && globalThis instanceof scope.WorkerGlobalScope) {
  if (scope.name === ENGINE_WORKER_NAME) exposeEngine(createEngine());
  // The photo library's decode/resize helper (started by the engine, see engine/preprocess-worker.ts).
  else if (scope.name === PREPROCESS_WORKER_NAME) exposePreprocess(codecs);
}
