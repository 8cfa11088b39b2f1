import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { ENGINE_WORKER_NAME, type EngineApi, type EngineLoadOptions, type LoadStage, type WorkerApi } from '../protocol/engine-protocol.js';
import type { LibraryOp, LibraryResult } from '../protocol/library-wire.js';
import { SiglipError } from '../errors.js';
import { diagnoseAsset } from '../asset-errors.js';
import type { LoadProgress, SiglipInfo } from '../types.js';

function lifeLockName(): string {
  const id = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `siglip-web-worker:${id}`;
}

/**
 * EngineApi over one module worker. Rebuilds SiglipErrors thrown in the worker and turns a worker
 * that dies (script 404, CSP refusal, terminated, crashed) into WORKER_CRASHED instead of a hang.
 * One instance is one worker's life: the supervisor replaces it after a crash.
 */
export class WorkerEngine implements EngineApi {
  private readonly worker: Worker;
  private readonly remote: Remote<WorkerApi>;
  private readonly ended: Promise<never>;
  private endError?: SiglipError;
  private endWith!: (err: SiglipError) => void;
  private readonly lockWatch = typeof AbortController !== 'undefined' ? new AbortController() : undefined;

  /** `startWorker` is `new Worker` unless a test passes a MessagePort-backed stand-in. */
  constructor(
    private readonly workerUrl: string,
    startWorker: (url: string, options: WorkerOptions) => Worker = (url, options) => new Worker(url, options),
  ) {
    try {
      this.worker = startWorker(workerUrl, { type: 'module', name: ENGINE_WORKER_NAME });
    } catch (err) {
      throw SiglipError.wrap('BACKEND_UNAVAILABLE', `Could not start the siglip-web worker from ${workerUrl}`, err);
    }
    this.ended = new Promise<never>((_, reject) => {
      this.endWith = (err) => {
        if (this.endError) return;
        this.endError = err;
        this.lockWatch?.abort();
        reject(err);
      };
    });
    this.ended.catch(() => undefined);
    this.worker.addEventListener('error', (event: ErrorEvent) => {
      event.preventDefault();
      void this.crashExplained(event.message || 'it could not be loaded (missing file, CSP worker-src, or out of memory)');
    });
    this.worker.addEventListener('messageerror', () => this.crash('a message could not be deserialized'));
    this.remote = wrap<WorkerApi>(this.worker);
    void this.watchLife();
  }

  /** True once the worker is gone (crashed, terminated by us or by the browser). */
  get dead(): boolean {
    return this.endError !== undefined;
  }

  private crash(reason: string): void {
    this.endWith(new SiglipError('WORKER_CRASHED', `The siglip-web worker (${this.workerUrl}) stopped: ${reason}`));
    this.worker.terminate();
  }

  /** A worker error event may mean its script is missing (404, or index.html from a dev server): say so. */
  private async crashExplained(reason: string): Promise<void> {
    this.worker.terminate();
    const assetError = await diagnoseAsset('worker', this.workerUrl).catch(() => undefined);
    if (assetError) this.endWith(assetError);
    else this.crash(reason);
  }

  private async watchLife(): Promise<void> {
    const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
    if (!locks || !this.lockWatch) return;
    const name = lifeLockName();
    const held = await Promise.race([this.remote.holdLifeLock(name), this.ended]).catch(() => false);
    if (!held || this.dead) return;
    locks
      .request(name, { signal: this.lockWatch.signal }, () => this.crash('the worker ended unexpectedly (terminated or out of memory)'))
      .catch(() => undefined);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.endError) throw this.endError;
    try {
      return await Promise.race([fn(), this.ended]);
    } catch (err) {
      throw SiglipError.isSerialized(err) ? SiglipError.fromSerialized(err) : SiglipError.wrap('INTERNAL', 'siglip-web worker call failed', err);
    }
  }

  /**
   * Loads, watching onnxruntime's runtime start: when it outlasts `stallAfterMs` the worker is
   * blocked for good (no timer in it can fire), so it is stopped and the load rejects with the
   * engine's `onStall` fallback, which createSiglip loads again in a fresh worker.
   */
  async load(options: EngineLoadOptions, onProgress?: (p: LoadProgress) => void): Promise<SiglipInfo> {
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    const onStage = (s: LoadStage): void => {
      clearTimeout(watchdog);
      // Only a threaded start can stall this way (and has somewhere to go: one thread).
      if (s.stage !== 'runtime-start' || !s.onStall) return;
      const fallback = s.onStall;
      watchdog = setTimeout(() => this.terminate(SiglipError.deviceFallback(fallback, `runtime start stalled for ${s.stallAfterMs} ms`)), s.stallAfterMs);
    };
    try {
      return await this.call(() => this.remote.load(options, onProgress ? proxy(onProgress) : undefined, proxy(onStage)));
    } finally {
      clearTimeout(watchdog);
    }
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

  library<O extends LibraryOp>(name: string, op: O): Promise<LibraryResult<O>> {
    return this.call(() => this.remote.library(name, op) as Promise<LibraryResult<O>>);
  }

  /** Stops the worker now; calls in flight reject with `reason` (used for abort and dispose). */
  terminate(reason: SiglipError): void {
    this.endWith(reason);
    this.worker.terminate();
  }

  async dispose(): Promise<void> {
    if (!this.endError) {
      // Give the worker a moment to release GPU buffers, but never let a stuck worker block dispose.
      await Promise.race([this.remote.dispose().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    this.remote[releaseProxy]();
    this.terminate(SiglipError.disposed());
  }
}
