/**
 * Pure checks deciding whether a download may be trusted as a model file. They exist because the
 * Cache API path in transformers.js stores whatever arrived: HTML error/login pages with status 200,
 * bodies shorter than their Content-Length (padded with zeros by its reader), and so on.
 */

/** Files whose content is never HTML: an HTML body there is an error page, a login wall or a portal. */
const NON_HTML_FILE = /\.(onnx|onnx_data|json|wasm|mjs|js|model|txt|bin)$/i;

export function expectsNonHtml(url: string): boolean {
  const path = url.split(/[?#]/)[0] ?? url;
  return NON_HTML_FILE.test(path);
}

const HTML_START = /^\s*<(?:!--|(?:!doctype\s+html|html|head|body|title|meta|script)\b)/i;

/** True when the declared type or the first bytes say HTML. A body of an ONNX file starts with a protobuf tag, JSON with `{`/`[`. */
export function looksLikeHtml(head: Uint8Array | undefined, contentType: string | null): boolean {
  if (contentType !== null && /^\s*(text\/html|application\/xhtml)/i.test(contentType)) return true;
  if (head === undefined || head.length === 0) return false;
  const text = new TextDecoder('latin1').decode(head.subarray(0, 256));
  return HTML_START.test(text);
}

/**
 * The content hash a server vouches for, when it gives one. The Hugging Face hub sends the sha256 of
 * LFS files as ETag / X-Linked-Etag (`"<64 hex>"`). Weak validators (`W/`) make no byte-level claim.
 */
export function serverSha256(headers: Headers): string | undefined {
  for (const name of ['x-linked-etag', 'etag']) {
    const value = headers.get(name);
    if (value === null) continue;
    const m = /^"?([0-9a-f]{64})"?$/i.exec(value.trim());
    if (m) return (m[1] as string).toLowerCase();
  }
  return undefined;
}

/** Body length the server promised, when it is the length of the bytes we will read (not compressed ones). */
export function declaredLength(headers: Headers): number | undefined {
  const encoding = (headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') return undefined;
  const value = headers.get('content-length');
  return value !== null && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

export type CompletenessProblem = { kind: 'short' | 'long'; received: number; expected: number };

/** A body is whole when it has exactly the promised length (or no length was promised). */
export function checkLength(received: number, expected: number | undefined): CompletenessProblem | undefined {
  if (expected === undefined || received === expected) return undefined;
  return { kind: received < expected ? 'short' : 'long', received, expected };
}

export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  const message = String((err as { message?: unknown } | null)?.message ?? err);
  return name === 'QuotaExceededError' || /quota/i.test(message);
}
