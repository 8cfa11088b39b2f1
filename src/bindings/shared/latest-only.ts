/** One attempt of a {@link LatestOnly} sequence. */
export interface Attempt {
  readonly signal: AbortSignal;
  /** False once a newer attempt began or the sequence was cancelled: drop this attempt's answer. */
  isCurrent(): boolean;
}

/**
 * Stale-answer guard: inputs can change while an answer is in flight, and answers may arrive out of
 * order, so only the newest attempt may publish. Older attempts are also aborted so the engine can
 * skip work nobody will read.
 */
export class LatestOnly {
  private current: AbortController | null = null;

  begin(): Attempt {
    this.cancel();
    const controller = new AbortController();
    this.current = controller;
    return { signal: controller.signal, isCurrent: () => this.current === controller };
  }

  cancel(): void {
    this.current?.abort();
    this.current = null;
  }
}
