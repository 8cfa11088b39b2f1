import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { EngineApi, EngineLoadOptions } from '../engine/engine-api.js';
import { SiglipError } from '../errors.js';
import type { LoadProgress, SiglipInfo } from '../types.js';

/**
 * EngineApi over a module worker. Rebuilds SiglipErrors thrown in the worker and turns a worker
 * that dies (script 404, CSP refusal, out of memory) into WORKER_CRASHED instead of a hang.
 */
export class WorkerEngine implements EngineApi {
  private readonly worker: Worker;
  private readonly remote: Remote<EngineApi>;
  private readonly crashed: Promise<never>;
  private crashError?: SiglipError;

  constructor(workerUrl: string) {
    try {
      this.worker = new Worker(workerUrl, { type: 'module', name: 'siglip-web' });
    } catch (err) {
      throw SiglipError.wrap('BACKEND_UNAVAILABLE', `Could not start the siglip-web worker from ${workerUrl}`, err);
    }
    this.crashed = new Promise<never>((_, reject) => {
      this.worker.addEventListener('error', (event: ErrorEvent) => {
        event.preventDefault();
        this.crashError = new SiglipError(
          'WORKER_CRASHED',
          `The siglip-web worker (${workerUrl}) failed: ${event.message || 'it could not be loaded (missing file, CSP worker-src, or out of memory)'}`,
        );
        reject(this.crashError);
      });
    });
    this.crashed.catch(() => undefined);
    this.remote = wrap<EngineApi>(this.worker);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.crashError) throw this.crashError;
    try {
      return await Promise.race([fn(), this.crashed]);
    } catch (err) {
      throw SiglipError.isSerialized(err) ? SiglipError.fromSerialized(err) : SiglipError.wrap('INTERNAL', 'siglip-web worker call failed', err);
    }
  }

  load(options: EngineLoadOptions, onProgress?: (p: LoadProgress) => void): Promise<SiglipInfo> {
    return this.call(() => this.remote.load(options, onProgress ? proxy(onProgress) : undefined));
  }

  classify(...args: Parameters<EngineApi['classify']>): ReturnType<EngineApi['classify']> {
    return this.call(() => this.remote.classify(...args));
  }

  embedImages(...args: Parameters<EngineApi['embedImages']>): ReturnType<EngineApi['embedImages']> {
    return this.call(() => this.remote.embedImages(...args));
  }

  embedTexts(...args: Parameters<EngineApi['embedTexts']>): ReturnType<EngineApi['embedTexts']> {
    return this.call(() => this.remote.embedTexts(...args));
  }

  async dispose(): Promise<void> {
    if (!this.crashError) {
      // Give the worker a moment to release GPU buffers, but never let a stuck worker block dispose.
      await Promise.race([this.remote.dispose().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    this.remote[releaseProxy]();
    this.worker.terminate();
  }
}
