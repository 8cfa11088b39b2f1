/** User-facing wording for progress and summaries (kept apart so main.js stays about wiring). */

const plural = (n, word) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/** One library per model + precision: embeddings of different models never mix. */
export function libraryNameFor(model, dtype) {
  return `demo-${model.id}-${dtype}`.replace(/[^a-z0-9-]+/gi, '-').toLowerCase();
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** While an add runs: "Indexing 340 of 1,200" and "4.2 photos/s · about 3 min left · 2 failed". */
export function describeJob(job) {
  const text = job.total ? `Indexing ${Math.min(job.done + 1, job.total).toLocaleString('en')} of ${job.total.toLocaleString('en')}…` : 'Indexing…';
  const stats = [];
  if (job.imagesPerSecond > 0) stats.push(`${job.imagesPerSecond.toFixed(job.imagesPerSecond < 10 ? 1 : 0)} photos/s`);
  const eta = formatDuration(job.etaSeconds);
  if (eta && job.done < job.total) stats.push(`about ${eta} left`);
  if (job.skipped) stats.push(`${job.skipped} already indexed`);
  if (job.failed) stats.push(`${job.failed} failed`);
  return { text, stats: stats.join(' · ') };
}

/** Between adds. Failed photos are counted as failed, never as tagged. */
export function summaryText(counts, modelState) {
  const parts = [];
  if (counts.indexed) parts.push(`${plural(counts.indexed, 'photo')} indexed${modelState === 'ready' ? ' and tagged' : ''}`);
  if (counts.failed) parts.push(`${counts.failed} could not be read`);
  if (counts.queued) parts.push(`${counts.queued} waiting for the model`);
  if (counts.indexing) parts.push(`${counts.indexing} being indexed`);
  return parts.join(' · ');
}
