import { SiglipError } from '../errors.js';

export const DEFAULT_MODEL = 'Xenova/siglip-base-patch16-224';
export const DEFAULT_REMOTE_HOST = 'https://huggingface.co/';

/**
 * The one identity of a model, made once on the page (where relative URLs and `remoteHost` mean
 * something) and handed as is to every layer: the engine, the cache and the processors read files
 * from `baseUrl` and never parse `id` again.
 */
export interface ModelRef {
  /** What the user wrote (`owner/name` or a folder URL); used in messages and cache listings. */
  readonly id: string;
  /** Absolute folder URL every model file is read from; ends with `/`. */
  readonly baseUrl: string;
  /** Hub revision the URL points at (hub ids only). */
  readonly revision?: string;
}

export interface ModelRefOptions {
  /** Host for hub ids; default `https://huggingface.co/`. */
  readonly remoteHost?: string;
  /** Hub branch, tag or commit for `owner/name` ids; default `main`. */
  readonly revision?: string;
  /** What relative folder URLs are resolved against (the page's base URL). */
  readonly baseHref?: string;
}

const HUB_ID = /^[\w\-.]+\/[\w\-.]{1,96}$/;
/** Hub routes, so no owner can have these names: `models/x` can only be a folder on the page's site. */
const NOT_HUB_OWNERS = new Set(['models', 'datasets', 'spaces']);

/**
 * A hub id is exactly `owner/name`: one slash, no scheme, no leading `.` or `/`, no trailing `/`, and
 * an owner that is not a hub route (`models`, `datasets`, `spaces`). Everything else is a folder URL
 * resolved against the page (`./x`, `/x`, `x/`, `a/b/c`, `models/x`, `https://…`).
 */
export function isHubId(model: string): boolean {
  const owner = model.slice(0, model.indexOf('/'));
  return HUB_ID.test(model) && !model.startsWith('.') && !NOT_HUB_OWNERS.has(owner.toLowerCase());
}

/** Turns what the user wrote (`owner/name` or a folder URL) into the model's one identity. */
export function resolveModelRef(model: string, options: ModelRefOptions = {}): ModelRef {
  if (typeof model !== 'string' || model.trim() === '') {
    throw new SiglipError('INVALID_INPUT', 'options.model must be a hub id like "Xenova/siglip-base-patch16-224" or the URL of a model folder');
  }
  const id = model.trim();
  if (isHubId(id)) {
    const remoteHost = options.remoteHost ?? DEFAULT_REMOTE_HOST;
    const host = remoteHost.endsWith('/') ? remoteHost : `${remoteHost}/`;
    const revision = options.revision ?? 'main';
    return { id, baseUrl: `${host}${id}/resolve/${encodeURIComponent(revision)}/`, revision };
  }
  let url: URL;
  try {
    url = options.baseHref ? new URL(id, options.baseHref) : new URL(id);
  } catch {
    throw new SiglipError('INVALID_INPUT', `options.model "${id}" is neither a hub id (owner/name) nor a valid URL`);
  }
  if (!/^(https?|blob):$/.test(url.protocol)) {
    throw new SiglipError('INVALID_INPUT', `options.model URL must be http(s), got ${url.protocol}`);
  }
  const href = url.href.split(/[?#]/)[0] ?? url.href;
  return { id, baseUrl: href.endsWith('/') ? href : `${href}/` };
}

/** A folder URL given directly (processors' fromPretrained): its own identity, no hub lookup. */
export function folderModelRef(baseUrl: string): ModelRef {
  return { id: baseUrl, baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/` };
}

/** The folder URL of `model` (shorthand for `resolveModelRef(...).baseUrl`). */
export function resolveModelBaseUrl(model: string, remoteHost: string, baseHref: string | undefined): string {
  return resolveModelRef(model, { remoteHost, ...(baseHref !== undefined ? { baseHref } : {}) }).baseUrl;
}
