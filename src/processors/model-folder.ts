import { SiglipError } from '../errors.js';

/**
 * Where a processor reads its files: a resolved model (anything with a `baseUrl`, e.g. the page's
 * ModelRef) or a folder URL. Hub ids are resolved once on the page (model-ref/), never here.
 */
export type ModelFolder = string | { readonly baseUrl: string };

const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|blob:|\.{0,2}\/)/i;

/** The folder URL (ending with `/`) of `model`. */
export function folderUrlOf(model: ModelFolder): string {
  const raw = typeof model === 'string' ? model.trim() : typeof model === 'object' && model !== null ? model.baseUrl : undefined;
  if (typeof raw !== 'string' || !URL_LIKE.test(raw)) {
    throw new SiglipError('INVALID_INPUT', `${JSON.stringify(raw ?? model)} is not the URL of a model folder; resolve hub ids ("owner/name") with createSiglip's model resolution first`);
  }
  return raw.endsWith('/') ? raw : `${raw}/`;
}

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface FetchJsonOptions {
  readonly fetch?: FetchFn;
  readonly signal?: AbortSignal;
}

/**
 * Fetches one JSON file of a model folder. Every failure (network, HTTP status, bad JSON) is a
 * MODEL_LOAD error naming the URL, except an abort (ABORTED).
 */
export async function fetchModelJson(url: string, options: FetchJsonOptions = {}): Promise<unknown> {
  const doFetch: FetchFn | undefined = options.fetch ?? (typeof fetch === 'function' ? (input, init) => fetch(input, init) : undefined);
  if (!doFetch) throw new SiglipError('MODEL_LOAD', `Could not fetch ${url}: no fetch function available`);
  let response: Response;
  try {
    response = await doFetch(url, options.signal ? { signal: options.signal } : undefined);
  } catch (err) {
    if (options.signal?.aborted) throw new SiglipError('ABORTED', `Loading ${url} was aborted`);
    throw SiglipError.wrap('MODEL_LOAD', `Could not fetch ${url}`, err);
  }
  if (!response.ok) {
    throw new SiglipError('MODEL_LOAD', `Could not fetch ${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  try {
    return (await response.json()) as unknown;
  } catch (err) {
    throw SiglipError.wrap('MODEL_LOAD', `${url} is not valid JSON`, err);
  }
}

/** Like fetchModelJson, but an optional file that is missing or unreadable is `undefined`. */
export async function fetchOptionalModelJson(url: string, options: FetchJsonOptions = {}): Promise<unknown> {
  try {
    return await fetchModelJson(url, options);
  } catch (err) {
    if (err instanceof SiglipError && err.code === 'ABORTED') throw err;
    return undefined;
  }
}
