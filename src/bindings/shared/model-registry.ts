import type { LoadProgress, Siglip, SiglipOptions } from '../../types.js';
import { IDLE_MODEL_STATE, LOADING_MODEL_STATE, progressFraction, toError, type ModelState } from './model-state.js';
import { optionsKey } from './options-key.js';

export type CreateSiglip = (options: SiglipOptions) => Promise<Siglip>;
/** Runs `fn` later and returns a canceller. */
export type Scheduler = (fn: () => void) => () => void;

/** A component's hold on a shared model; the model is disposed once every lease is released. */
export interface ModelLease {
  readonly key: string;
  getState(): ModelState;
  subscribe(listener: (state: ModelState) => void): () => void;
  /** Idempotent. */
  release(): void;
}

interface Entry {
  readonly key: string;
  readonly abort: AbortController;
  readonly listeners: Set<(state: ModelState) => void>;
  readonly progressSinks: Set<(p: LoadProgress) => void>;
  state: ModelState;
  holders: number;
  cancelDisposal: (() => void) | null;
}

/**
 * Why a delay: React StrictMode (and route transitions) unmount and remount in the same tick; a
 * macrotask's delay lets the remount take the lease back instead of paying a second model load.
 */
export const nextTick: Scheduler = (fn) => {
  const id = setTimeout(fn, 0);
  return () => clearTimeout(id);
};

/**
 * Ref-counted models keyed by {@link optionsKey}: every component asking for the same options shares
 * one instance (one worker, one copy of the weights).
 */
export class ModelRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly create: CreateSiglip,
    private readonly scheduleDisposal: Scheduler = nextTick,
  ) {}

  /** The current state for these options without holding the model (IDLE when nobody holds it). */
  peek(options: SiglipOptions): ModelState {
    return this.entries.get(optionsKey(options))?.state ?? IDLE_MODEL_STATE;
  }

  /** Number of models currently held or loading; for tests and devtools. */
  get size(): number {
    return this.entries.size;
  }

  acquire(options: SiglipOptions, onProgress?: (p: LoadProgress) => void): ModelLease {
    const key = optionsKey(options);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.start(key, options);
      this.entries.set(key, entry);
    }
    entry.cancelDisposal?.();
    entry.cancelDisposal = null;
    entry.holders++;
    if (onProgress) entry.progressSinks.add(onProgress);

    const held = entry;
    const own = new Set<(state: ModelState) => void>();
    let released = false;
    return {
      key,
      getState: () => held.state,
      subscribe: (listener) => {
        held.listeners.add(listener);
        own.add(listener);
        return () => {
          held.listeners.delete(listener);
          own.delete(listener);
        };
      },
      release: () => {
        if (released) return;
        released = true;
        for (const l of own) held.listeners.delete(l);
        if (onProgress) held.progressSinks.delete(onProgress);
        held.holders--;
        if (held.holders === 0) held.cancelDisposal = this.scheduleDisposal(() => this.dispose(held));
      },
    };
  }

  private start(key: string, options: SiglipOptions): Entry {
    const entry: Entry = {
      key,
      abort: new AbortController(),
      listeners: new Set(),
      progressSinks: new Set(),
      state: LOADING_MODEL_STATE,
      holders: 0,
      cancelDisposal: null,
    };
    const onProgress = (p: LoadProgress): void => {
      if (entry.abort.signal.aborted) return;
      for (const sink of entry.progressSinks) sink(p);
      this.publish(entry, { ...entry.state, progress: progressFraction(p), lastProgress: p });
    };
    const { onProgress: _ignored, signal: _alsoIgnored, ...rest } = options;
    this.create({ ...rest, onProgress, signal: entry.abort.signal }).then(
      (siglip) => {
        // Everybody left while it loaded: nobody will ever dispose it but us.
        if (entry.abort.signal.aborted) return void siglip.dispose().catch(() => undefined);
        this.publish(entry, { ...entry.state, status: 'ready', siglip, progress: 1 });
      },
      (err: unknown) => {
        if (entry.abort.signal.aborted) return;
        this.publish(entry, { ...entry.state, status: 'error', error: toError(err) });
      },
    );
    return entry;
  }

  private publish(entry: Entry, state: ModelState): void {
    entry.state = Object.freeze(state);
    for (const listener of [...entry.listeners]) listener(entry.state);
  }

  private dispose(entry: Entry): void {
    if (entry.holders > 0 || this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    entry.abort.abort();
    entry.listeners.clear();
    entry.progressSinks.clear();
    void entry.state.siglip?.dispose().catch(() => undefined);
  }
}
