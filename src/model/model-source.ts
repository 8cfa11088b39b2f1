import { SiglipError } from '../errors.js';

export const DEFAULT_MODEL = 'Xenova/siglip-base-patch16-224';
export const DEFAULT_REMOTE_HOST = 'https://huggingface.co/';

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

/**
 * Turns what the user wrote (`owner/name` or a folder URL) into the absolute folder URL every
 * model file is read from. Done once on the calling side so the worker never needs the page's URL.
 */
export function resolveModelBaseUrl(model: string, remoteHost: string, baseHref: string | undefined): string {
  if (typeof model !== 'string' || model.trim() === '') {
    throw new SiglipError('INVALID_INPUT', 'options.model must be a hub id like "Xenova/siglip-base-patch16-224" or the URL of a model folder');
  }
  const trimmed = model.trim();
  if (isHubId(trimmed)) {
    const host = remoteHost.endsWith('/') ? remoteHost : `${remoteHost}/`;
    return `${host}${trimmed}/resolve/main/`;
  }
  let url: URL;
  try {
    url = baseHref ? new URL(trimmed, baseHref) : new URL(trimmed);
  } catch {
    throw new SiglipError('INVALID_INPUT', `options.model "${trimmed}" is neither a hub id (owner/name) nor a valid URL`);
  }
  if (!/^(https?|blob):$/.test(url.protocol)) {
    throw new SiglipError('INVALID_INPUT', `options.model URL must be http(s), got ${url.protocol}`);
  }
  const href = url.href.split(/[?#]/)[0] ?? url.href;
  return href.endsWith('/') ? href : `${href}/`;
}
