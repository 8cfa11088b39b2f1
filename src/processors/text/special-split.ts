/**
 * Splits raw text on literal special/added tokens before any normalization, the way both Python
 * backends do (slow: `Trie.split`, fast: the added-vocabulary splitter). Matching is leftmost, then
 * longest, so `<eos>` is not cut inside a longer added token that starts at the same place.
 */

// Unicode White_Space (what Rust's char::is_whitespace and the fast tokenizer's strip use). For the
// SigLIP path the exact set does not matter: every chunk is canonicalized and stripped afterwards.
const WS = '[\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRAILING_WS = new RegExp(`${WS}+$`);
const LEADING_WS = new RegExp(`^${WS}+`);

export interface SplitToken {
  readonly content: string;
  readonly id: number;
  /** Strip whitespace on the left of the token (from the text chunk before it). */
  readonly lstrip: boolean;
  /** Strip whitespace on the right of the token (from the text chunk after it). */
  readonly rstrip: boolean;
}

export type Segment = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'token'; readonly token: SplitToken };

export function splitOnTokens(text: string, tokens: readonly SplitToken[]): Segment[] {
  const usable = tokens.filter((t) => t.content.length > 0);
  const raw: Segment[] = [];
  let chunkStart = 0;
  let i = 0;
  while (i < text.length) {
    let best: SplitToken | null = null;
    for (const t of usable) {
      if ((best === null || t.content.length > best.content.length) && text.startsWith(t.content, i)) best = t;
    }
    if (best) {
      if (i > chunkStart) raw.push({ kind: 'text', text: text.slice(chunkStart, i) });
      raw.push({ kind: 'token', token: best });
      i += best.content.length;
      chunkStart = i;
    } else {
      i++;
    }
  }
  if (chunkStart < text.length) raw.push({ kind: 'text', text: text.slice(chunkStart) });

  // lstrip/rstrip remove whitespace from the neighbouring text chunks (Python: str.rstrip()/lstrip()).
  const out = raw.map((s) => ({ ...s }));
  for (let k = 0; k < out.length; k++) {
    const seg = out[k]!;
    if (seg.kind !== 'token') continue;
    const prev = out[k - 1];
    const next = out[k + 1];
    if (seg.token.lstrip && prev && prev.kind === 'text') out[k - 1] = { kind: 'text', text: prev.text.replace(TRAILING_WS, '') };
    if (seg.token.rstrip && next && next.kind === 'text') out[k + 1] = { kind: 'text', text: next.text.replace(LEADING_WS, '') };
  }
  return out.filter((s) => s.kind === 'token' || s.text.length > 0);
}
