import { optionsAfterFallback, type EngineApi, type EngineLoadOptions } from '../protocol/engine-protocol.js';
import { DEFAULT_MODEL } from '../model-ref/model-ref.js';
import { SiglipError } from '../errors.js';
import type { Siglip, SiglipOptions } from '../types.js';
import { defaultWasmUrl, defaultWorkerUrl, pageBaseHref, wasmFolderNextTo } from './asset-urls.js';
import { requireBrowser } from './require-browser.js';
import { checkSignal, raceAbort, throwIfAborted } from './abort.js';
import { EngineSupervisor, type SupervisedEngine } from './engine-supervisor.js';
import { SiglipClient } from './siglip-client.js';
import { DEFAULT_TEMPLATE, validateTemplate } from '../processors/text/template.js';
import { cacheLoadOptions } from './cache-options.js';
import { modelRefOnPage } from './page-model.js';
import { WorkerEngine } from './worker-engine.js';
import { loadEngineModule } from './engine-module.js';

export { DEFAULT_TEMPLATE };

/**
 * Loads a SigLIP checkpoint and resolves once it can answer. Model work runs in a Web Worker unless
 * `worker: false`; the returned object has the same API either way.
 */
export async function createSiglip(options: SiglipOptions = {}): Promise<Siglip> {
  if (typeof options !== 'object' || options === null) throw new SiglipError('INVALID_INPUT', 'createSiglip(options): options must be an object');
  const device = options.device ?? 'auto';
  if (!['auto', 'webgpu', 'wasm'].includes(device)) throw new SiglipError('INVALID_INPUT', `device must be 'auto', 'webgpu' or 'wasm', got ${String(device)}`);
  const dtype = options.dtype ?? 'auto';
  if (!['auto', 'fp32', 'fp16', 'q8', 'q4', 'q4f16'].includes(dtype)) throw new SiglipError('INVALID_INPUT', `dtype ${String(dtype)} is not one of auto, fp32, fp16, q8, q4, q4f16`);
  const template = validateTemplate(options.template ?? DEFAULT_TEMPLATE);
  // Before the model string: a page-relative folder ('models/x') only means something on a page.
  requireBrowser();
  // The model's one identity, made here and passed down; nothing below parses the string again.
  const model = modelRefOnPage(options.model ?? DEFAULT_MODEL, options);
  const workerUrl = options.workerUrl ? new URL(String(options.workerUrl), pageBaseHref()).href : defaultWorkerUrl();
  const wasmPaths = options.wasmPaths
    ? new URL(String(options.wasmPaths), pageBaseHref()).href
    : options.workerUrl ? wasmFolderNextTo(workerUrl) : defaultWasmUrl();

  const useWorker = options.worker !== false;
  if (useWorker && typeof Worker === 'undefined') {
    throw new SiglipError('BACKEND_UNAVAILABLE', 'Web Workers are not available here; pass { worker: false } to run inline');
  }
  const loadOptions: EngineLoadOptions = {
    model, device, dtype, template, wasmPaths,
    ...(options.numThreads !== undefined ? { numThreads: options.numThreads } : {}),
    ...cacheLoadOptions(options),
  };
  const start = (fresh: boolean): Promise<EngineApi> => (useWorker ? Promise.resolve(new WorkerEngine(workerUrl)) : loadInlineEngine(workerUrl, fresh));
  const signal = checkSignal(options.signal, 'createSiglip');
  throwIfAborted(signal, 'createSiglip()');
  const ctx: LoadContext = { start, onProgress: options.onProgress, onDeviceChange: options.onDeviceChange, signal };
  try {
    return await loadOn(await start(false), loadOptions, ctx);
  } catch (err) {
    const fallback = err instanceof SiglipError ? err.fallback : undefined;
    if (!fallback) throw err;
    // WebGPU failed after the probe said yes: load again in a fresh runtime and say why.
    return loadOn(await start(true), optionsAfterFallback(loadOptions, fallback), ctx);
  }
}

interface LoadContext {
  readonly start: (fresh: boolean) => Promise<EngineApi>;
  readonly onProgress: SiglipOptions['onProgress'];
  readonly onDeviceChange: SiglipOptions['onDeviceChange'];
  readonly signal: AbortSignal | undefined;
}

async function loadOn(engine: SupervisedEngine, options: EngineLoadOptions, ctx: LoadContext): Promise<Siglip> {
  try {
    const info = await raceAbort(engine.load(options, ctx.onProgress), ctx.signal, 'createSiglip()');
    // A restarted engine (after a worker crash) reuses the options that worked, e.g. the WASM retry.
    const supervisor = new EngineSupervisor(() => ctx.start(true), options, engine, info, ctx.onDeviceChange);
    return new SiglipClient(supervisor);
  } catch (err) {
    // An aborted load must not keep a worker busy downloading: stop it rather than wait for it.
    if (engine.terminate) engine.terminate(new SiglipError('ABORTED', 'createSiglip() was aborted'));
    else if (ctx.signal?.aborted) void engine.dispose().catch(() => undefined);
    else await engine.dispose().catch(() => undefined);
    throw err instanceof SiglipError ? err : SiglipError.wrap('MODEL_LOAD', `Could not load ${options.model.id}`, err);
  }
}

/** `fresh` imports a new module instance: onnxruntime's state from a failed WebGPU start stays behind. */
async function loadInlineEngine(workerUrl: string, fresh: boolean): Promise<EngineApi> {
  const url = fresh ? `${workerUrl}${workerUrl.includes('?') ? '&' : '?'}runtime=${Date.now()}` : workerUrl;
  return (await loadEngineModule(url)).createEngine();
}
