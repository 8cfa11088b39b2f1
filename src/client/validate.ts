import { SiglipError } from '../errors.js';

export { validateTemplate } from '../processors/text/template.js';

/** Beyond this a label is certainly a mistake (the tokenizer keeps 64 tokens anyway). */
const MAX_LABEL_CHARS = 2_000;
/** One text pass per 32 labels: 10k labels is ~5 min on a laptop CPU; more is a bug, not a use. */
export const MAX_LABELS = 10_000;

export function validateLabels(labels: readonly unknown[]): string[] {
  if (labels.length === 0) throw new SiglipError('INVALID_INPUT', 'labels is empty: pass at least one candidate label');
  if (labels.length > MAX_LABELS) {
    throw new SiglipError('INVALID_INPUT', `Too many labels (${labels.length}); at most ${MAX_LABELS} per call`);
  }
  return labels.map((label, i) => {
    if (typeof label !== 'string') throw new SiglipError('INVALID_INPUT', `labels[${i}] is ${typeof label}, expected a string`);
    if (label.trim() === '') throw new SiglipError('INVALID_INPUT', `labels[${i}] is an empty string`);
    if (label.length > MAX_LABEL_CHARS) {
      throw new SiglipError('INVALID_INPUT', `labels[${i}] is ${label.length} characters long; at most ${MAX_LABEL_CHARS}`);
    }
    return label;
  });
}

export function validateTexts(texts: readonly unknown[]): string[] {
  if (texts.length === 0) throw new SiglipError('INVALID_INPUT', 'No texts given: pass a string or a non-empty array of strings');
  return texts.map((text, i) => {
    if (typeof text !== 'string') throw new SiglipError('INVALID_INPUT', `texts[${i}] is ${typeof text}, expected a string`);
    if (text.length > 100_000) throw new SiglipError('INVALID_INPUT', `texts[${i}] is ${text.length} characters long; at most 100000`);
    return text;
  });
}

export function validateTopk(topk: unknown): number {
  if (typeof topk !== 'number' || !Number.isInteger(topk) || topk < 1) {
    throw new SiglipError('INVALID_INPUT', `topk must be a positive integer, got ${String(topk)}`);
  }
  return topk;
}
