import type * as EngineModule from '../worker/worker-entry.js';
import { SiglipError } from '../errors.js';
import { diagnoseAsset } from '../asset-errors.js';
import { defaultWorkerUrl } from './asset-urls.js';

const modules = new Map<string, Promise<typeof EngineModule>>();

/**
 * The heavy code (transformers.js, tokenizers, onnxruntime) lives only in the worker asset. Main-thread
 * features that need it (inline mode, processors) import that same file on demand, which keeps the
 * page's entry small.
 */
export function loadEngineModule(url: string = defaultWorkerUrl()): Promise<typeof EngineModule> {
  let pending = modules.get(url);
  if (!pending) {
    pending = (import(/* @vite-ignore */ /* webpackIgnore: true */ url) as Promise<typeof EngineModule>).catch(async (err: unknown) => {
      modules.delete(url);
      throw (await diagnoseAsset('worker', url).catch(() => undefined)) ??
        SiglipError.wrap('BACKEND_UNAVAILABLE', `Could not load the siglip-web engine module from ${url}`, err);
    });
    modules.set(url, pending);
  }
  return pending;
}
