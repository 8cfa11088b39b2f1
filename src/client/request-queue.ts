import type { WireImage } from '../protocol/engine-protocol.js';
import { SiglipError } from '../errors.js';
import type { Score } from '../types.js';
import { abortedError } from './abort.js';
import type { EngineSupervisor, SupervisedEngine } from './engine-supervisor.js';

export type EngineRequest =
  | { readonly kind: 'classify'; readonly images: WireImage[]; readonly labels: string[] | null; readonly template: string | null; readonly topk: number | null }
  | { readonly kind: 'embedImages'; readonly images: WireImage[]; readonly normalize: boolean }
  | { readonly kind: 'embedTexts'; readonly texts: string[]; readonly template: string | false; readonly normalize: boolean };

type Row = Score[] | Float32Array;

/**
 * Most images per engine call. Queued calls are merged up to this, so 200 single-image calls
 * become ~7 engine calls, while the worker holds at most this many undecoded images (and decodes
 * 8 at a time) instead of all 200.
 */
export const MAX_BATCH_IMAGES = 32;
export const MAX_BATCH_TEXTS = 256;
/**
 * How long a call whose every caller aborted may keep the worker busy before it is stopped.
 * Stopping costs a model reload (from the cache), so a superseded single-image call (≈1 s on a
 * laptop CPU for siglip-base), as the React/Vue hooks produce when the user flips photos, is let
 * finish; only long batches are cut short. The caller's promise rejects with ABORTED at once either way.
 */
export const ABANDON_GRACE_MS = 2000;
/** A call that was in flight when the worker died is retried once on the restarted worker. */
const MAX_CRASH_RETRIES = 1;
/** Errors that may come from one member of a merged call: each member is then retried alone. */
const PER_ITEM_CODES = new Set(['INVALID_INPUT', 'IMAGE_DECODE', 'IMAGE_FETCH', 'INFERENCE']);

interface Job {
  readonly request: EngineRequest;
  readonly key: string;
  readonly size: number;
  readonly resolve: (rows: Row[]) => void;
  readonly reject: (err: SiglipError) => void;
  readonly signal: AbortSignal | undefined;
  readonly what: string;
  onAbort?: () => void;
  settled: boolean;
  crashRetries: number;
  /** Set after a merged call failed: run this job by itself so only its own error reaches it. */
  solo: boolean;
}

function sizeOf(r: EngineRequest): number {
  return r.kind === 'embedTexts' ? r.texts.length : r.images.length;
}

/** Requests that may share one engine call: same operation, same parameters. */
function keyOf(r: EngineRequest): string {
  switch (r.kind) {
    case 'classify':
      return JSON.stringify([r.kind, r.template, r.topk, r.labels]);
    case 'embedImages':
      return JSON.stringify([r.kind, r.normalize]);
    case 'embedTexts':
      return JSON.stringify([r.kind, r.template, r.normalize]);
  }
}

function merge(jobs: readonly Job[]): EngineRequest {
  const first = jobs[0]!.request;
  if (jobs.length === 1) return first;
  if (first.kind === 'embedTexts') {
    return { ...first, texts: jobs.flatMap((j) => (j.request as typeof first).texts) };
  }
  return { ...first, images: jobs.flatMap((j) => (j.request as typeof first).images) };
}

function runOn(engine: SupervisedEngine, r: EngineRequest): Promise<Row[]> {
  switch (r.kind) {
    case 'classify':
      return engine.classify(r.images, r.labels, r.template, r.topk);
    case 'embedImages':
      return engine.embedImages(r.images, r.normalize);
    case 'embedTexts':
      return engine.embedTexts(r.texts, r.template, r.normalize);
  }
}

function asSiglipError(err: unknown): SiglipError {
  return SiglipError.wrap('INTERNAL', 'siglip-web call failed', err);
}

/**
 * The one queue between the page and the engine: one engine call at a time (the model runs one
 * pass at a time anyway), compatible queued calls merged into it, each caller's AbortSignal
 * honoured whether its call is queued or running, and nothing dropped when the worker dies.
 */
export class RequestQueue {
  private readonly queue: Job[] = [];
  private running: Job[] | undefined;
  private abandonTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Engine calls made so far (diagnostics: shows how much merging happened). */
  engineCalls = 0;

  constructor(private readonly supervisor: EngineSupervisor) {}

  submit(request: EngineRequest, signal: AbortSignal | undefined, what: string): Promise<Row[]> {
    if (this.disposed) return Promise.reject(SiglipError.disposed());
    if (signal?.aborted) return Promise.reject(abortedError(signal, what));
    return new Promise<Row[]>((resolve, reject) => {
      const job: Job = { request, key: keyOf(request), size: sizeOf(request), resolve, reject, signal, what, settled: false, crashRetries: 0, solo: false };
      if (signal) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  private settle(job: Job, outcome: { rows: Row[] } | { error: SiglipError }): void {
    if (job.settled) return;
    job.settled = true;
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if ('rows' in outcome) job.resolve(outcome.rows);
    else job.reject(outcome.error);
  }

  private abort(job: Job): void {
    if (job.settled) return;
    this.settle(job, { error: abortedError(job.signal, job.what) });
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      return;
    }
    const batch = this.running;
    if (batch?.includes(job) && batch.every((j) => j.settled) && this.abandonTimer === undefined) {
      // Short calls finish on their own; only a long one is worth a worker restart.
      this.abandonTimer = setTimeout(() => {
        this.abandonTimer = undefined;
        if (this.running === batch) this.supervisor.abandonRunningWork();
      }, ABANDON_GRACE_MS);
    }
  }

  private takeBatch(): Job[] | undefined {
    const first = this.queue.shift();
    if (!first) return undefined;
    const batch = [first];
    if (first.solo) return batch;
    const limit = first.request.kind === 'embedTexts' ? MAX_BATCH_TEXTS : MAX_BATCH_IMAGES;
    let size = first.size;
    for (let i = 0; i < this.queue.length && size < limit; ) {
      const job = this.queue[i]!;
      if (!job.solo && job.key === first.key && size + job.size <= limit) {
        batch.push(job);
        size += job.size;
        this.queue.splice(i, 1);
      } else {
        i++;
      }
    }
    return batch;
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const batch = this.takeBatch();
    if (!batch) return;
    this.running = batch;
    void this.execute(batch);
  }

  private async execute(batch: Job[]): Promise<void> {
    let rows: Row[] | undefined;
    let error: SiglipError | undefined;
    try {
      const engine = await this.supervisor.acquire();
      if (batch.some((j) => !j.settled)) {
        this.engineCalls++;
        rows = await runOn(engine, merge(batch));
      }
    } catch (err) {
      error = asSiglipError(err);
    }
    clearTimeout(this.abandonTimer);
    this.abandonTimer = undefined;
    this.running = undefined;
    if (this.disposed) return;
    if (error) this.fail(batch, error);
    else if (rows) this.distribute(batch, rows);
    this.pump();
  }

  private distribute(batch: Job[], rows: Row[]): void {
    const expected = batch.reduce((n, j) => n + j.size, 0);
    if (rows.length !== expected) {
      this.fail(batch, new SiglipError('INTERNAL', `The engine returned ${rows.length} results for ${expected} inputs`));
      return;
    }
    let offset = 0;
    for (const job of batch) {
      this.settle(job, { rows: rows.slice(offset, offset + job.size) });
      offset += job.size;
    }
  }

  private fail(batch: Job[], error: SiglipError): void {
    const live = batch.filter((j) => !j.settled);
    const retry: Job[] = [];
    for (const job of live) {
      if (error.fallback && job.crashRetries < MAX_CRASH_RETRIES) {
        // The GPU went away under us: the supervisor reloads on the fallback device and the call runs there.
        this.supervisor.fallBack(error.fallback);
        job.crashRetries++;
        retry.push(job);
      } else if (error.code === 'WORKER_CRASHED' && job.crashRetries < MAX_CRASH_RETRIES) {
        job.crashRetries++;
        retry.push(job);
      } else if (batch.length > 1 && PER_ITEM_CODES.has(error.code)) {
        job.solo = true;
        retry.push(job);
      } else {
        this.settle(job, { error });
      }
    }
    this.queue.unshift(...retry);
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.abandonTimer);
    const error = SiglipError.disposed(true);
    for (const job of [...(this.running ?? []), ...this.queue.splice(0)]) this.settle(job, { error });
    this.running = undefined;
  }
}
