/**
 * The engine's helper worker for photo preprocessing. With one ONNX thread the vision pass occupies
 * the engine's thread completely, so decoding the next photos must happen elsewhere for indexing
 * to run at the model's speed. It is the same script in a "preprocess" role (started by name),
 * created on first use; if workers cannot be started here, preprocessing runs inline instead.
 */
import { wrap, type Remote } from 'comlink';
import { SiglipError } from '../errors.js';
import type { PreprocessApi, PreprocessRunner } from '../engine/library-port.js';

export const PREPROCESS_WORKER_NAME = 'siglip-web-preprocess';

export class PreprocessWorker implements PreprocessRunner {
  private worker: Worker | undefined;
  private remote: Remote<PreprocessApi> | undefined;
  private failed: ((err: SiglipError) => void)[] = [];

  constructor(private readonly scriptUrl: string) {}

  /** The worker, or undefined when this realm cannot start one. */
  private api(): Remote<PreprocessApi> | undefined {
    if (this.remote) return this.remote;
    if (typeof Worker === 'undefined') return undefined;
    try {
      const worker = new Worker(this.scriptUrl, { type: 'module', name: PREPROCESS_WORKER_NAME });
      worker.addEventListener('error', (event: ErrorEvent) => {
        event.preventDefault();
        this.crash(event.message || 'the preprocessing worker stopped (out of memory?)');
      });
      this.worker = worker;
      this.remote = wrap<PreprocessApi>(worker);
      return this.remote;
    } catch {
      return undefined;
    }
  }

  /** Drops a dead worker (the next call starts a new one) and fails the calls it held. */
  private crash(reason: string): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
    const waiting = this.failed;
    this.failed = [];
    for (const fail of waiting) fail(new SiglipError('IMAGE_DECODE', `Preprocessing failed: ${reason}`));
  }

  /** Runs `fn` on the worker; `inline` when no worker is available. */
  async run<T>(fn: (api: PreprocessApi) => Promise<T>, inline: () => Promise<T>): Promise<T> {
    const api = this.api();
    if (!api) return inline();
    let fail!: (err: SiglipError) => void;
    const ended = new Promise<never>((_, reject) => {
      fail = reject;
    });
    this.failed.push(fail);
    try {
      return await Promise.race([fn(api as unknown as PreprocessApi), ended]);
    } finally {
      this.failed = this.failed.filter((f) => f !== fail);
    }
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
  }
}
