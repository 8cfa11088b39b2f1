/**
 * Text side of the SigLIP processor: gives, for any string, the same `input_ids` as Python transformers
 * 5.18 with `padding="max_length", max_length=64, truncation=True` (what the zero-shot pipeline uses).
 *
 * The subword models (Unigram / BPE) are @huggingface/tokenizers'. Everything around them that decides
 * ids differently in Python and transformers.js is done here: SiglipTokenizer's canonicalization, the
 * sentencepiece normalizer, special-token splitting, truncation that keeps eos, and padding.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { SiglipError } from '../../errors.js';
import { fetchModelJson, fetchOptionalModelJson, folderUrlOf, type ModelFolder } from '../model-folder.js';
import { canonicalizeText } from './canonicalize.js';
import { SentencePieceNormalizer } from './sp-normalizer.js';
import { splitOnTokens, type SplitToken } from './special-split.js';
import { DEFAULT_TEMPLATE, applyTemplate } from './template.js';
import { isJsonObject, resolveTokenizerPolicy, type JsonObject, type TokenizerPolicy } from './tokenizer-policy.js';

const SPIECE_UNDERLINE = '\u2581';
export const DEFAULT_MAX_LENGTH = 64;

export interface TextProcessorFiles {
  readonly tokenizerJson: unknown;
  readonly tokenizerConfig: unknown;
  readonly specialTokensMap?: unknown;
  readonly config?: unknown;
}

export interface TextProcessorOptions {
  /**
   * Padded length. Python's zero-shot pipeline always passes `max_length=64` for SigLIP models, whatever
   * `model_max_length` says, so 64 is the default.
   */
  readonly maxLength?: number;
}

export interface EncodeOptions {
  /** Template applied to every text; `false` tokenizes texts as given. Default `This is a photo of {label}.` */
  readonly template?: string | false;
}

export interface EncodedTexts {
  readonly inputIds: number[][];
  /** The strings actually tokenized: after the template, and canonicalized for SiglipTokenizer. */
  readonly texts: string[];
}

export interface FromPretrainedOptions extends TextProcessorOptions {
  readonly fetch?: typeof fetch;
}

type PieceEncoder = (text: string) => number[];

interface Built {
  readonly policy: TokenizerPolicy;
  readonly splitTokens: SplitToken[];
  readonly encodePieces: PieceEncoder;
  readonly tokenToId: (token: string) => number | undefined;
  readonly idToToken: (id: number) => string | undefined;
  readonly prefixIds: number[];
  readonly suffixIds: number[];
}

function asObject(v: unknown, what: string): JsonObject {
  if (!isJsonObject(v)) throw new SiglipError('MODEL_LOAD', `${what} is missing or not a JSON object`);
  return v;
}

function addedTokenEntries(tokenizerJson: JsonObject): { id: number; content: string; lstrip: boolean; rstrip: boolean; special: boolean }[] {
  const list = Array.isArray(tokenizerJson.added_tokens) ? tokenizerJson.added_tokens : [];
  const out: { id: number; content: string; lstrip: boolean; rstrip: boolean; special: boolean }[] = [];
  for (const t of list) {
    if (!isJsonObject(t) || typeof t.content !== 'string' || typeof t.id !== 'number') continue;
    out.push({ id: t.id, content: t.content, lstrip: t.lstrip === true, rstrip: t.rstrip === true, special: t.special === true });
  }
  return out;
}

function configAddedTokens(tokenizerConfig: JsonObject): { id: number; content: string; lstrip: boolean; rstrip: boolean }[] {
  const dec = tokenizerConfig.added_tokens_decoder;
  if (!isJsonObject(dec)) return [];
  const out: { id: number; content: string; lstrip: boolean; rstrip: boolean }[] = [];
  for (const [k, v] of Object.entries(dec)) {
    const id = Number(k);
    if (!Number.isInteger(id) || !isJsonObject(v) || typeof v.content !== 'string') continue;
    out.push({ id, content: v.content, lstrip: v.lstrip === true, rstrip: v.rstrip === true });
  }
  return out;
}

function makeTokenizer(json: JsonObject, tokenizerConfig: JsonObject): Tokenizer {
  try {
    return new Tokenizer(json, tokenizerConfig);
  } catch (e) {
    throw SiglipError.wrap('MODEL_LOAD', 'tokenizer.json could not be loaded', e);
  }
}

function vocabLookups(model: JsonObject, added: { id: number; content: string }[]) {
  const toId = new Map<string, number>();
  const toTok = new Map<number, string>();
  if (Array.isArray(model.vocab)) {
    model.vocab.forEach((entry: unknown, i: number) => {
      if (Array.isArray(entry) && typeof entry[0] === 'string') {
        toId.set(entry[0], i);
        toTok.set(i, entry[0]);
      }
    });
  } else if (isJsonObject(model.vocab)) {
    for (const [tok, id] of Object.entries(model.vocab)) {
      if (typeof id === 'number') {
        toId.set(tok, id);
        toTok.set(id, tok);
      }
    }
  }
  for (const a of added) {
    toId.set(a.content, a.id);
    toTok.set(a.id, a.content);
  }
  return { toId, toTok };
}

/** Ids the post-processor puts before/after the sequence; `null` post-processor adds nothing. */
function postProcessorIds(pp: unknown, tok: Tokenizer): { prefix: number[]; suffix: number[] } {
  if (pp === null || pp === undefined) return { prefix: [], suffix: [] };
  if (isJsonObject(pp) && pp.type === 'TemplateProcessing' && Array.isArray(pp.single)) {
    const specials = isJsonObject(pp.special_tokens) ? pp.special_tokens : {};
    const prefix: number[] = [];
    const suffix: number[] = [];
    let seenSequence = false;
    for (const item of pp.single) {
      if (!isJsonObject(item)) continue;
      if (isJsonObject(item.Sequence)) {
        seenSequence = true;
        continue;
      }
      if (isJsonObject(item.SpecialToken) && typeof item.SpecialToken.id === 'string') {
        const spec = specials[item.SpecialToken.id];
        const ids = isJsonObject(spec) && Array.isArray(spec.ids) ? spec.ids.filter((x): x is number => typeof x === 'number') : [];
        if (ids.length === 0) throw new SiglipError('MODEL_LOAD', `post_processor special token ${item.SpecialToken.id} has no ids`);
        (seenSequence ? suffix : prefix).push(...ids);
      }
    }
    return { prefix, suffix };
  }
  // Other processors: read what they add around a probe sequence.
  const bare = tok.encode('a', { add_special_tokens: false }).ids;
  const full = tok.encode('a', { add_special_tokens: true }).ids;
  for (let start = 0; start + bare.length <= full.length; start++) {
    if (bare.every((id, k) => full[start + k] === id)) {
      return { prefix: full.slice(0, start), suffix: full.slice(start + bare.length) };
    }
  }
  throw new SiglipError('MODEL_UNSUPPORTED', 'cannot tell which special tokens the post_processor adds');
}

function buildSiglip(tj: JsonObject, tc: JsonObject, policy: TokenizerPolicy): Built {
  const model = asObject(tj.model, 'tokenizer.json model');
  if (model.type !== 'Unigram') throw new SiglipError('MODEL_UNSUPPORTED', `SiglipTokenizer needs a Unigram model, got ${String(model.type)}`);
  const added = addedTokenEntries(tj);
  const { toId, toTok } = vocabLookups(model, added);

  const charsmap = findPrecompiledCharsmap(tj.normalizer);
  if (charsmap === null) throw new SiglipError('MODEL_LOAD', 'tokenizer.json has no precompiled_charsmap (needed to mirror spiece.model)');
  const spNorm = new SentencePieceNormalizer(charsmap);

  // sentencepiece never matches control/unknown pieces inside text; the JS Unigram trie would, so those
  // pieces get names that cannot occur in normalized text (ids and scores stay as they are).
  const hidden = new Set(added.filter((a) => a.special).map((a) => a.content));
  const vocab = (Array.isArray(model.vocab) ? model.vocab : []).map((entry: unknown, i: number) =>
    Array.isArray(entry) && typeof entry[0] === 'string' && hidden.has(entry[0]) ? [`\u0000\u0000${i}`, entry[1]] : entry,
  );
  const json: JsonObject = {
    ...tj,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: { ...model, vocab },
  };
  const tok = makeTokenizer(json, {});
  const unk = policy.unkToken ?? '<unk>';
  const modelIds = (s: string): number[] => (s.length === 0 ? [] : tok.encode(s, { add_special_tokens: false }).ids);
  const unkLength = modelIds(spNorm.normalize(unk)).length;
  // Python (SentencePieceBackend/SiglipTokenizer._tokenize) encodes `unk_token + text` and drops the unk
  // pieces, so that a leading '▁' survives sentencepiece's whitespace trimming.
  const encodePieces: PieceEncoder = (text) => {
    const canon = canonicalizeText(text);
    const ids = modelIds(spNorm.normalize(unk + canon));
    return ids.length >= unkLength ? ids.slice(unkLength) : ids;
  };

  // Slow tokenizers split on added_tokens_decoder entries plus every special token.
  const splitTokens: SplitToken[] = [];
  const seen = new Set<string>();
  for (const a of configAddedTokens(tc)) {
    if (seen.has(a.content)) continue;
    seen.add(a.content);
    splitTokens.push({ content: a.content, id: a.id, lstrip: a.lstrip, rstrip: a.rstrip });
  }
  for (const special of [policy.eosToken, policy.unkToken, policy.padToken]) {
    if (special === null || seen.has(special)) continue;
    const id = toId.get(special);
    if (id === undefined) continue;
    seen.add(special);
    splitTokens.push({ content: special, id, lstrip: false, rstrip: false });
  }

  const eosId = policy.eosToken !== null ? toId.get(policy.eosToken) : undefined;
  if (eosId === undefined) throw new SiglipError('MODEL_LOAD', `eos token ${String(policy.eosToken)} is not in the vocabulary`);
  return {
    policy,
    splitTokens,
    encodePieces,
    tokenToId: (t) => toId.get(t),
    idToToken: (id) => toTok.get(id),
    prefixIds: [],
    suffixIds: [eosId],
  };
}

function findPrecompiledCharsmap(normalizer: unknown): string | null {
  if (!isJsonObject(normalizer)) return null;
  if (normalizer.type === 'Precompiled' && typeof normalizer.precompiled_charsmap === 'string') return normalizer.precompiled_charsmap;
  if (normalizer.type === 'Sequence' && Array.isArray(normalizer.normalizers)) {
    for (const n of normalizer.normalizers) {
      const found = findPrecompiledCharsmap(n);
      if (found !== null) return found;
    }
  }
  return null;
}

function buildGemma(tj: JsonObject, tc: JsonObject, policy: TokenizerPolicy): Built {
  const model = asObject(tj.model, 'tokenizer.json model');
  const added = addedTokenEntries(tj);
  const { toId, toTok } = vocabLookups(model, added);
  // GemmaTokenizer rebuilds normalizer and pre-tokenizer from its class and keeps only the file's
  // post_processor; Siglip2Tokenizer is the same plus Lowercase. The class pre-tokenizer
  // (Split(" ", merged_with_previous)) is a no-op once every space has become '▁'.
  const replace = { type: 'Replace', pattern: { String: ' ' }, content: SPIECE_UNDERLINE };
  const normalizer = policy.flavor === 'siglip2' ? { type: 'Sequence', normalizers: [{ type: 'Lowercase' }, replace] } : replace;
  const json: JsonObject = { ...tj, normalizer, pre_tokenizer: null };
  const tok = makeTokenizer(json, {});
  const { prefix, suffix } = postProcessorIds(tj.post_processor, tok);

  // Literal added tokens in the text become their ids: tokenizer.json's list plus tokenizer_config's.
  const splitTokens: SplitToken[] = [];
  const seen = new Set<string>();
  for (const a of [...added, ...configAddedTokens(tc)]) {
    if (seen.has(a.content)) continue;
    seen.add(a.content);
    splitTokens.push({ content: a.content, id: a.id, lstrip: a.lstrip, rstrip: a.rstrip });
  }
  const encodePieces: PieceEncoder = (text) => (text.length === 0 ? [] : tok.encode(text, { add_special_tokens: false }).ids);
  return {
    policy,
    splitTokens,
    encodePieces,
    tokenToId: (t) => toId.get(t),
    idToToken: (id) => toTok.get(id),
    prefixIds: prefix,
    suffixIds: suffix,
  };
}

export class SiglipTextProcessor {
  readonly maxLength: number;
  readonly padTokenId: number;
  readonly eosTokenId: number | null;
  readonly policy: TokenizerPolicy;
  private readonly built: Built;

  private constructor(built: Built, maxLength: number) {
    this.built = built;
    this.policy = built.policy;
    this.maxLength = maxLength;
    const pad = built.policy.padToken !== null ? built.tokenToId(built.policy.padToken) : undefined;
    if (pad === undefined) throw new SiglipError('MODEL_LOAD', `pad token ${String(built.policy.padToken)} is not in the vocabulary`);
    this.padTokenId = pad;
    this.eosTokenId = built.policy.eosToken !== null ? (built.tokenToId(built.policy.eosToken) ?? null) : null;
    const specials = built.prefixIds.length + built.suffixIds.length;
    if (maxLength <= specials) throw new SiglipError('INVALID_INPUT', `maxLength ${maxLength} leaves no room for text`);
  }

  static fromFiles(files: TextProcessorFiles, opts: TextProcessorOptions = {}): SiglipTextProcessor {
    if (!isJsonObject(files)) throw new SiglipError('INVALID_INPUT', 'fromFiles expects an object with tokenizerJson and tokenizerConfig');
    const tj = asObject(files.tokenizerJson, 'tokenizer.json');
    const tc = asObject(files.tokenizerConfig, 'tokenizer_config.json');
    if (!isJsonObject(tj.model)) throw new SiglipError('MODEL_LOAD', 'tokenizer.json has no model');
    const stm = files.specialTokensMap === undefined || files.specialTokensMap === null ? undefined : asObject(files.specialTokensMap, 'special_tokens_map.json');
    const cfg = files.config === undefined || files.config === null ? undefined : asObject(files.config, 'config.json');
    const maxLength = opts.maxLength ?? DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < 2) throw new SiglipError('INVALID_INPUT', `maxLength must be an integer >= 2, got ${String(maxLength)}`);
    const policy = resolveTokenizerPolicy(tc, stm, cfg);
    const built = policy.flavor === 'siglip' ? buildSiglip(tj, tc, policy) : buildGemma(tj, tc, policy);
    return new SiglipTextProcessor(built, maxLength);
  }

  /** Loads the tokenizer files of a model folder (URL or resolved model). */
  static async fromPretrained(model: ModelFolder, opts: FromPretrainedOptions = {}): Promise<SiglipTextProcessor> {
    const base = folderUrlOf(model);
    const load = { ...(opts.fetch ? { fetch: opts.fetch } : {}) };
    const [tokenizerJson, tokenizerConfig, specialTokensMap, config] = await Promise.all([
      fetchModelJson(`${base}tokenizer.json`, load),
      fetchModelJson(`${base}tokenizer_config.json`, load),
      fetchOptionalModelJson(`${base}special_tokens_map.json`, load),
      fetchOptionalModelJson(`${base}config.json`, load),
    ]);
    const files: TextProcessorFiles = { tokenizerJson, tokenizerConfig, specialTokensMap, config };
    return SiglipTextProcessor.fromFiles(files, opts.maxLength !== undefined ? { maxLength: opts.maxLength } : {});
  }

  /** Ids of one already-templated text, before truncation/padding. */
  private contentIds(text: string): number[] {
    const { built } = this;
    if (built.policy.flavor === 'siglip') {
      // SiglipTokenizer.tokenize: '▁' + text with '▁' turned into spaces, split on special tokens, then
      // each chunk is canonicalized and sent through sentencepiece on its own.
      const segments = splitOnTokens(SPIECE_UNDERLINE + text.replaceAll(SPIECE_UNDERLINE, ' '), built.splitTokens);
      const ids: number[] = [];
      const isSpecial: boolean[] = [];
      for (const seg of segments) {
        if (seg.kind === 'token') {
          ids.push(seg.token.id);
          isSpecial.push(true);
        } else {
          for (const id of built.encodePieces(seg.text)) {
            ids.push(id);
            isSpecial.push(false);
          }
        }
      }
      // Python drops a lone leading '▁' piece when a special token follows it.
      if (ids.length > 1 && built.idToToken(ids[0]!) === SPIECE_UNDERLINE && !isSpecial[0] && isSpecial[1]) {
        ids.shift();
      }
      return ids;
    }
    const ids: number[] = [];
    for (const seg of splitOnTokens(text, built.splitTokens)) {
      if (seg.kind === 'token') ids.push(seg.token.id);
      else ids.push(...built.encodePieces(seg.text));
    }
    return ids;
  }

  /** Truncates to leave room for the post-processor's tokens (so eos is kept), then pads. */
  encodeOne(text: string): number[] {
    const { prefixIds, suffixIds, policy } = this.built;
    const room = this.maxLength - prefixIds.length - suffixIds.length;
    const content = this.contentIds(text).slice(0, room);
    const ids = [...prefixIds, ...content, ...suffixIds];
    const padding = new Array<number>(this.maxLength - ids.length).fill(this.padTokenId);
    return policy.paddingSide === 'left' ? [...padding, ...ids] : [...ids, ...padding];
  }

  /** The string that is actually tokenized for `text` (canonical form for SiglipTokenizer). */
  canonicalize(text: string): string {
    // SiglipTokenizer.tokenize turns '▁' into a space before canonicalizing.
    return this.policy.flavor === 'siglip' ? canonicalizeText(text.replaceAll(SPIECE_UNDERLINE, ' ')) : text;
  }

  encode(texts: string[], o: EncodeOptions = {}): EncodedTexts {
    if (!Array.isArray(texts)) throw new SiglipError('INVALID_INPUT', 'texts must be an array of strings');
    const template = o.template === undefined ? DEFAULT_TEMPLATE : o.template;
    if (template !== false && typeof template !== 'string') {
      throw new SiglipError('INVALID_INPUT', 'template must be a string or false');
    }
    const inputIds: number[][] = [];
    const outTexts: string[] = [];
    texts.forEach((t, i) => {
      if (typeof t !== 'string') {
        throw new SiglipError('INVALID_INPUT', `texts[${i}] must be a string, got ${t === null ? 'null' : typeof t}`);
      }
      const full = template === false ? t : applyTemplate(template, t);
      inputIds.push(this.encodeOne(full));
      outTexts.push(this.canonicalize(full));
    });
    return { inputIds, texts: outTexts };
  }
}
