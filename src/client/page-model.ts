import { resolveModelRef, type ModelRef } from '../model-ref/model-ref.js';
import { pageBaseHref } from './asset-urls.js';

/**
 * Resolves what the user wrote as `model` against this page (relative folder URLs, `remoteHost`).
 * The only place the SDK turns a model string into a ModelRef; everything downstream receives it.
 */
export function modelRefOnPage(model: string, options: { readonly remoteHost?: string | undefined; readonly revision?: string | undefined } = {}): ModelRef {
  const baseHref = pageBaseHref();
  return resolveModelRef(model, {
    ...(options.remoteHost !== undefined ? { remoteHost: options.remoteHost } : {}),
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    ...(baseHref !== undefined ? { baseHref } : {}),
  });
}
