/**
 * Zero-shot hypothesis templates. Python's pipeline builds texts with `hypothesis_template.format(label)`
 * and its default keeps the final period; transformers.js drops it, which changes ids for tokenizers that
 * keep punctuation (Gemma/SigLIP 2), so the Python default is used here.
 */
import { SiglipError } from '../../errors.js';

export const DEFAULT_TEMPLATE = 'This is a photo of {label}.';

const PLACEHOLDER = /\{label\}|\{\}/g;

/** Whether `template` contains a `{label}` or Python-style `{}` placeholder. */
export function hasPlaceholder(template: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(template);
}

/** The one template check (createSiglip, classify, embedText): a string with a placeholder. */
export function validateTemplate(template: unknown): string {
  if (typeof template !== 'string' || !hasPlaceholder(template)) {
    throw new SiglipError('INVALID_INPUT', `template must be a string containing {label} (or {}), got ${JSON.stringify(template)}`);
  }
  return template;
}

/**
 * Substitutes `label` for every `{label}` / `{}` placeholder. Replacement is done with a function so
 * `$&`-style sequences inside labels are kept literally.
 */
export function applyTemplate(template: string, label: string): string {
  if (typeof template !== 'string') {
    throw new SiglipError('INVALID_INPUT', `template must be a string, got ${typeof template}`);
  }
  if (typeof label !== 'string') {
    throw new SiglipError('INVALID_INPUT', `label must be a string, got ${label === null ? 'null' : typeof label}`);
  }
  if (!hasPlaceholder(template)) {
    throw new SiglipError('INVALID_INPUT', `template ${JSON.stringify(template)} has no {label} or {} placeholder`);
  }
  return template.replace(PLACEHOLDER, () => label);
}
