/**
 * Progress of an add(): counts plus a throughput over a sliding window (recent speed matters for
 * the ETA: the first batch includes warm-up, and resumed runs skip known photos very fast).
 */
import type { LibraryProgress } from '../../library-types.js';

const WINDOW_MS = 20_000;

export class ProgressMeter {
  added = 0;
  skipped = 0;
  failed = 0;
  private readonly marks: { t: number; done: number }[] = [];

  constructor(
    private total: number | undefined,
    private readonly now: () => number,
  ) {
    this.marks.push({ t: now(), done: 0 });
  }

  get done(): number {
    return this.added + this.skipped + this.failed;
  }

  setTotal(total: number): void {
    this.total = total;
  }

  record(outcome: 'added' | 'skipped' | 'failed', count = 1): void {
    this[outcome] += count;
  }

  /** Call after each finished batch. */
  snapshot(current?: string): LibraryProgress {
    const t = this.now();
    const done = this.done;
    this.marks.push({ t, done });
    while (this.marks.length > 2 && t - (this.marks[1] as { t: number }).t >= WINDOW_MS) this.marks.shift();
    const first = this.marks[0] as { t: number; done: number };
    const seconds = (t - first.t) / 1000;
    const rate = seconds > 0 ? (done - first.done) / seconds : undefined;
    const progress: LibraryProgress = { done, added: this.added, skipped: this.skipped, failed: this.failed };
    if (this.total !== undefined) progress.total = this.total;
    if (rate !== undefined && Number.isFinite(rate)) {
      progress.imagesPerSecond = rate;
      if (this.total !== undefined && rate > 0) progress.etaSeconds = Math.max(0, this.total - done) / rate;
    }
    if (current !== undefined) progress.current = current;
    return progress;
  }
}
