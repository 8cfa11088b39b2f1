import { optionsAfterFallback, type EngineApi, type EngineLoadOptions } from '../protocol/engine-protocol.js';
import { SiglipError } from '../errors.js';
import type { DeviceFallback, SiglipInfo } from '../types.js';

/** An engine the supervisor can tell is gone (worker) and can stop mid-call (worker only). */
export interface SupervisedEngine extends EngineApi {
  readonly dead?: boolean;
  terminate?(reason: SiglipError): void;
}

/**
 * Owns the engine behind one Siglip instance. When the worker has died (crash, browser kill,
 * or we stopped it to cancel work) the next call gets a fresh one, loaded with the same options;
 * the weights come back from the cache / HTTP cache, so the caller only sees a slower call.
 */
export class EngineSupervisor {
  private engine: SupervisedEngine | undefined;
  private starting: Promise<SupervisedEngine> | undefined;
  private current: SiglipInfo;
  private disposed = false;
  /** How many times the engine was replaced; tests and diagnostics read it. */
  restarts = 0;

  constructor(
    private readonly create: () => Promise<SupervisedEngine>,
    private loadOptions: EngineLoadOptions,
    first: SupervisedEngine,
    info: SiglipInfo,
    private readonly onInfoChange?: (info: SiglipInfo, previous: SiglipInfo) => void,
  ) {
    this.engine = first;
    this.current = info;
  }

  get info(): SiglipInfo {
    return this.current;
  }

  /** The live engine, restarting it first when it has died. */
  acquire(): Promise<SupervisedEngine> {
    if (this.disposed) return Promise.reject(SiglipError.disposed());
    if (this.engine && !this.engine.dead) return Promise.resolve(this.engine);
    this.starting ??= this.restart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async restart(): Promise<SupervisedEngine> {
    this.engine = undefined;
    const engine = await this.create();
    let info: SiglipInfo;
    try {
      info = await engine.load(this.loadOptions);
    } catch (err) {
      engine.terminate?.(new SiglipError('MODEL_LOAD', 'restart failed'));
      throw SiglipError.wrap('MODEL_LOAD', `The siglip-web worker stopped and could not be restarted`, err);
    }
    if (this.disposed) {
      void engine.dispose().catch(() => undefined);
      throw SiglipError.disposed();
    }
    this.restarts++;
    this.engine = engine;
    const previous = this.current;
    this.current = info;
    if (info.device !== previous.device) this.onInfoChange?.(info, previous);
    return engine;
  }

  /** The current engine's device is gone: the next acquire() reloads on `fallback.device`, saying why. */
  fallBack(fallback: DeviceFallback): void {
    const next = optionsAfterFallback(this.loadOptions, fallback);
    if (next.device === this.loadOptions.device && next.numThreads === this.loadOptions.numThreads) return;
    this.loadOptions = next;
    const engine = this.engine;
    this.engine = undefined;
    if (engine) void (engine.terminate ? Promise.resolve(engine.terminate(new SiglipError('BACKEND_UNAVAILABLE', fallback.reason))) : engine.dispose()).catch(() => undefined);
  }

  /**
   * Stops work nobody waits for any more. Only a worker can be stopped; an inline engine returns
   * false and its call runs to completion with the result discarded.
   */
  abandonRunningWork(): boolean {
    const engine = this.engine;
    if (!engine?.terminate || engine.dead) return false;
    engine.terminate(new SiglipError('ABORTED', 'The running call was aborted; the worker was stopped and will restart on the next call'));
    return true;
  }

  /** `busy`: a call is still running; a worker is then stopped at once instead of asked to clean up. */
  async dispose(busy = false): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const engine = this.engine;
    this.engine = undefined;
    if (busy && engine?.terminate) engine.terminate(SiglipError.disposed());
    else await engine?.dispose().catch(() => undefined);
  }
}
