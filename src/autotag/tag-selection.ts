import type { Score } from '../types.js';

/** `"cat, dog ,car"` → `['cat', 'dog', 'car']`: trimmed, empty entries and repeats dropped. */
export function parseLabels(text: string | null | undefined): string[] {
  if (!text) return [];
  return [...new Set(text.split(',').map((l) => l.trim()).filter((l) => l !== ''))];
}

/** Labels scoring at least `threshold`, best first, at most `topk`. */
export function selectTags(scores: readonly Score[], threshold: number, topk: number = Infinity): Score[] {
  return scores
    .filter((s) => s.score >= threshold)
    .sort((a, b) => b.score - a.score)
    .slice(0, topk);
}

/** A threshold from an attribute, or `fallback` when absent or not a number in [0, 1]. */
export function parseThreshold(text: string | null | undefined, fallback: number): number {
  if (text === null || text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : fallback;
}
