/**
 * SentencePiece's own normalizer (`normalizer.cc`), driven by the `precompiled_charsmap` that
 * tokenizer.json carries. Python's SiglipTokenizer runs spiece.model through the sentencepiece library,
 * so this is what produced the reference ids. The `Precompiled` normalizer of @huggingface/tokenizers only
 * approximates the charsmap with NFKC plus a fixed character list (it turns U+200D into a space, for
 * example, where nmt_nfkc deletes it), so it cannot be used when ids must be exact.
 */
import { SiglipError } from '../../errors.js';

const SPACE_SYMBOL = '\u2581';

export interface SpNormalizerOptions {
  /** NormalizerSpec.remove_extra_whitespaces (sentencepiece default: true). */
  readonly removeExtraWhitespaces?: boolean;
  /** NormalizerSpec.escape_whitespaces (sentencepiece default: true): ' ' becomes '▁'. */
  readonly escapeWhitespaces?: boolean;
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Length of the valid UTF-8 sequence at `pos`, or 0 when malformed (sentencepiece then emits U+FFFD). */
function utf8SeqLength(bytes: Uint8Array, pos: number): number {
  const b = bytes[pos]!;
  if (b < 0x80) return 1;
  const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? (b <= 0xef ? 3 : 0) : b >= 0xc2 ? 2 : 0;
  if (need === 0 || pos + need > bytes.length) return 0;
  for (let k = 1; k < need; k++) if ((bytes[pos + k]! & 0xc0) !== 0x80) return 0;
  return need;
}

export class SentencePieceNormalizer {
  private readonly units: Uint32Array;
  private readonly normalized: Uint8Array;
  private readonly removeExtraWhitespaces: boolean;
  private readonly escapeWhitespaces: boolean;
  private static readonly encoder = new TextEncoder();
  private static readonly decoder = new TextDecoder();

  constructor(precompiledCharsmapBase64: string, opts: SpNormalizerOptions = {}) {
    let blob: Uint8Array;
    try {
      blob = base64ToBytes(precompiledCharsmapBase64);
    } catch (e) {
      throw SiglipError.wrap('MODEL_LOAD', 'tokenizer.json: precompiled_charsmap is not valid base64', e);
    }
    if (blob.length < 4) throw new SiglipError('MODEL_LOAD', 'tokenizer.json: precompiled_charsmap is truncated');
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize % 4 !== 0 || 4 + trieSize > blob.length) {
      throw new SiglipError('MODEL_LOAD', 'tokenizer.json: precompiled_charsmap has an invalid trie size');
    }
    this.units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + i * 4, true);
    this.normalized = blob.subarray(4 + trieSize);
    this.removeExtraWhitespaces = opts.removeExtraWhitespaces ?? true;
    this.escapeWhitespaces = opts.escapeWhitespaces ?? true;
  }

  /** Darts-clone commonPrefixSearch, keeping the longest hit as NormalizePrefix does. */
  private longestMatch(bytes: Uint8Array, pos: number): { length: number; value: number } | null {
    const u = this.units;
    if (u.length === 0) return null;
    const offset = (unit: number): number => (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    let nodePos = offset(u[0]!);
    let best: { length: number; value: number } | null = null;
    for (let i = pos; i < bytes.length; i++) {
      const c = bytes[i]!;
      nodePos ^= c;
      if (nodePos >= u.length) break;
      const unit = u[nodePos]!;
      // label() keeps the top bit so a leaf unit never matches a byte.
      if ((unit & 0x800000ff) >>> 0 !== c) break;
      nodePos ^= offset(unit);
      if (nodePos >= u.length) break;
      if ((unit >>> 8) & 1) best = { length: i - pos + 1, value: u[nodePos]! & 0x7fffffff };
    }
    return best;
  }

  private normalizedAt(value: number): Uint8Array {
    let end = value;
    while (end < this.normalized.length && this.normalized[end] !== 0) end++;
    return this.normalized.subarray(value, end);
  }

  /** One NormalizePrefix step: the replacement bytes and how many input bytes they consume. */
  private normalizePrefix(bytes: Uint8Array, pos: number): { out: Uint8Array; consumed: number } {
    const hit = this.longestMatch(bytes, pos);
    if (hit) return { out: this.normalizedAt(hit.value), consumed: hit.length };
    const len = utf8SeqLength(bytes, pos);
    if (len === 0) return { out: SentencePieceNormalizer.encoder.encode('\ufffd'), consumed: 1 };
    return { out: bytes.subarray(pos, pos + len), consumed: len };
  }

  /** sentencepiece Normalizer::Normalize with add_dummy_prefix = false (as SiglipTokenizer sets it). */
  normalize(text: string): string {
    const input = SentencePieceNormalizer.encoder.encode(text);
    const out: number[] = [];
    let pos = 0;
    const isSingleSpace = (b: Uint8Array): boolean => b.length === 1 && b[0] === 0x20;
    if (this.removeExtraWhitespaces) {
      while (pos < input.length) {
        const p = this.normalizePrefix(input, pos);
        if (!isSingleSpace(p.out)) break;
        pos += p.consumed;
      }
    }
    if (pos >= input.length) return '';
    const spaceBytes = SentencePieceNormalizer.encoder.encode(SPACE_SYMBOL);
    let isPrevSpace = this.removeExtraWhitespaces;
    while (pos < input.length) {
      const p = this.normalizePrefix(input, pos);
      let sp = p.out;
      if (isPrevSpace) {
        let k = 0;
        while (k < sp.length && sp[k] === 0x20) k++;
        sp = sp.subarray(k);
      }
      if (sp.length > 0) {
        for (const b of sp) {
          if (this.escapeWhitespaces && b === 0x20) out.push(...spaceBytes);
          else out.push(b);
        }
        isPrevSpace = sp[sp.length - 1] === 0x20;
      }
      pos += p.consumed;
      if (!this.removeExtraWhitespaces) isPrevSpace = false;
    }
    if (this.removeExtraWhitespaces) {
      const tail = this.escapeWhitespaces ? spaceBytes : new Uint8Array([0x20]);
      while (out.length >= tail.length && tail.every((b, k) => out[out.length - tail.length + k] === b)) {
        out.length -= tail.length;
      }
    }
    return SentencePieceNormalizer.decoder.decode(new Uint8Array(out));
  }
}
