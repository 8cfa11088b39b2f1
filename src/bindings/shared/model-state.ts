import type { LoadProgress, Siglip } from '../../types.js';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What a component sees of a shared model. Snapshots are immutable: a new object on every change. */
export interface ModelState {
  readonly status: ModelStatus;
  readonly siglip: Siglip | null;
  /** Download progress 0..1 over the files started so far (resets towards 0 when a new file starts). */
  readonly progress: number;
  /** The last raw progress event, for UIs that show file names or bytes. */
  readonly lastProgress: LoadProgress | null;
  readonly error: Error | null;
}

export const IDLE_MODEL_STATE: ModelState = Object.freeze({ status: 'idle', siglip: null, progress: 0, lastProgress: null, error: null });

export const LOADING_MODEL_STATE: ModelState = Object.freeze({ ...IDLE_MODEL_STATE, status: 'loading' });

export function progressFraction(p: LoadProgress): number {
  if (p.status === 'ready') return 1;
  if (p.totalBytes <= 0) return 0;
  return Math.min(1, Math.max(0, p.totalLoaded / p.totalBytes));
}

export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
