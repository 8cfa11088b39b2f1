import type { EngineApi } from '../engine/engine-api.js';
import { DEFAULT_MODEL, DEFAULT_REMOTE_HOST, resolveModelBaseUrl } from '../engine/model-source.js';
import { SiglipError } from '../errors.js';
import type { Siglip, SiglipOptions } from '../types.js';
import { defaultWasmPaths, defaultWorkerUrl, pageBaseHref } from './asset-urls.js';
import { SiglipClient } from './siglip-client.js';
import { validateTemplate } from './validate.js';
import { WorkerEngine } from './worker-engine.js';
import { loadEngineModule } from './engine-module.js';

export const DEFAULT_TEMPLATE = 'This is a photo of {label}.';

/**
 * Loads a SigLIP checkpoint and resolves once it can answer. Model work runs in a Web Worker unless
 * `worker: false`; the returned object has the same API either way.
 */
export async function createSiglip(options: SiglipOptions = {}): Promise<Siglip> {
  if (typeof options !== 'object' || options === null) throw new SiglipError('INVALID_INPUT', 'createSiglip(options): options must be an object');
  const model = options.model ?? DEFAULT_MODEL;
  const device = options.device ?? 'auto';
  if (!['auto', 'webgpu', 'wasm'].includes(device)) throw new SiglipError('INVALID_INPUT', `device must be 'auto', 'webgpu' or 'wasm', got ${String(device)}`);
  const dtype = options.dtype ?? 'auto';
  if (!['auto', 'fp32', 'fp16', 'q8', 'q4', 'q4f16'].includes(dtype)) throw new SiglipError('INVALID_INPUT', `dtype ${String(dtype)} is not one of auto, fp32, fp16, q8, q4, q4f16`);
  const template = validateTemplate(options.template ?? DEFAULT_TEMPLATE);
  const modelBaseUrl = resolveModelBaseUrl(model, options.remoteHost ?? DEFAULT_REMOTE_HOST, pageBaseHref());
  const workerUrl = options.workerUrl ? new URL(String(options.workerUrl), pageBaseHref()).href : defaultWorkerUrl();
  const wasmPaths = options.wasmPaths ? new URL(options.wasmPaths, pageBaseHref()).href : defaultWasmPaths(workerUrl);

  const useWorker = options.worker !== false;
  if (useWorker && typeof Worker === 'undefined') {
    throw new SiglipError('BACKEND_UNAVAILABLE', 'Web Workers are not available here; pass { worker: false } to run inline');
  }
  const engine: EngineApi = useWorker ? new WorkerEngine(workerUrl) : await loadInlineEngine(workerUrl);
  try {
    const info = await engine.load(
      { model, modelBaseUrl, device, dtype, template, wasmPaths, ...(options.numThreads !== undefined ? { numThreads: options.numThreads } : {}) },
      options.onProgress,
    );
    return new SiglipClient(engine, info);
  } catch (err) {
    await engine.dispose().catch(() => undefined);
    throw err instanceof SiglipError ? err : SiglipError.wrap('MODEL_LOAD', `Could not load ${model}`, err);
  }
}

async function loadInlineEngine(workerUrl: string): Promise<EngineApi> {
  return (await loadEngineModule(workerUrl)).createEngine();
}
