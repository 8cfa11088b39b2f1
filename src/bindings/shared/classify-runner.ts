import type { ImageInput, Score, Siglip } from '../../types.js';
import { LatestOnly } from './latest-only.js';
import { toError } from './model-state.js';
import { identityKey } from './options-key.js';

export interface ClassifyState {
  /** Scores of the last finished request; kept while a newer one runs so the UI does not flicker. */
  readonly results: Score[] | null;
  readonly loading: boolean;
  readonly error: Error | null;
}

export interface ClassifyRequest {
  readonly siglip: Siglip | null;
  /** null/undefined means "nothing to classify yet". */
  readonly image: ImageInput | null | undefined;
  readonly labels: readonly string[];
  readonly template?: string | undefined;
  readonly topk?: number | undefined;
}

export const IDLE_CLASSIFY_STATE: ClassifyState = Object.freeze({ results: null, loading: false, error: null });

/**
 * The framework-agnostic half of useClassify: frameworks call update() on every render/change with
 * whatever they have; it re-runs only when an input really changed (labels by content, images by
 * identity) and publishes only the newest answer.
 */
export class ClassifyRunner {
  private state: ClassifyState = IDLE_CLASSIFY_STATE;
  private lastKey: string | null = null;
  private readonly latest = new LatestOnly();
  private disposed = false;

  constructor(private readonly onChange: (state: ClassifyState) => void) {}

  getState(): ClassifyState {
    return this.state;
  }

  update(request: ClassifyRequest): void {
    if (this.disposed) return;
    const key = requestKey(request);
    if (key === this.lastKey) return;
    this.lastKey = key;
    const { siglip, image, labels } = request;
    if (!siglip || image === null || image === undefined || labels.length === 0) {
      this.latest.cancel();
      this.set(IDLE_CLASSIFY_STATE);
      return;
    }
    const attempt = this.latest.begin();
    this.set({ results: this.state.results, loading: true, error: null });
    const options = {
      signal: attempt.signal,
      ...(request.template !== undefined ? { template: request.template } : {}),
      ...(request.topk !== undefined ? { topk: request.topk } : {}),
    };
    // Promise.resolve().then: a synchronous throw (bad labels) is reported like an async one.
    Promise.resolve()
      .then(() => siglip.classify(image, [...labels], options))
      .then(
        (results) => {
          if (attempt.isCurrent() && !this.disposed) this.set({ results, loading: false, error: null });
        },
        (err: unknown) => {
          if (attempt.isCurrent() && !this.disposed) this.set({ results: null, loading: false, error: toError(err) });
        },
      );
  }

  dispose(): void {
    this.disposed = true;
    this.latest.cancel();
  }

  private set(state: ClassifyState): void {
    this.state = Object.freeze(state);
    this.onChange(this.state);
  }
}

function requestKey(r: ClassifyRequest): string {
  return JSON.stringify([identityKey(r.siglip), identityKey(r.image), r.labels, r.template ?? null, r.topk ?? null]);
}
