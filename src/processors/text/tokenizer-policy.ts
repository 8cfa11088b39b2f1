/**
 * Decides which Python tokenizer class a checkpoint resolves to, and therefore how text is prepared,
 * following transformers 5.18's AutoTokenizer: `tokenizer_class` from tokenizer_config.json wins; without
 * it, `model_type: "siglip2"` means Siglip2Tokenizer and anything else SiglipTokenizer.
 */
import { SiglipError } from '../../errors.js';

export type TokenizerFlavor = 'siglip' | 'gemma' | 'siglip2';

export interface TokenizerPolicy {
  readonly flavor: TokenizerFlavor;
  /** Python class name the checkpoint resolves to (for messages and reports). */
  readonly className: string;
  readonly paddingSide: 'left' | 'right';
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly unkToken: string | null;
}

export type JsonObject = { readonly [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Special tokens are either strings or serialized AddedToken objects (`{content: ...}`). */
export function tokenContent(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isJsonObject(v) && typeof v.content === 'string') return v.content;
  return null;
}

function pick(key: string, config: JsonObject, map: JsonObject | undefined): string | null {
  return tokenContent(config[key]) ?? (map ? tokenContent(map[key]) : null);
}

export function resolveTokenizerPolicy(
  tokenizerConfig: JsonObject,
  specialTokensMap?: JsonObject,
  modelConfig?: JsonObject,
): TokenizerPolicy {
  const declared = typeof tokenizerConfig.tokenizer_class === 'string' ? tokenizerConfig.tokenizer_class : null;
  // Python strips a trailing "Fast" when resolving the class.
  const cls = declared?.replace(/Fast$/, '') ?? null;
  const modelType = modelConfig && typeof modelConfig.model_type === 'string' ? modelConfig.model_type : null;

  let flavor: TokenizerFlavor;
  let className: string;
  if (cls === 'SiglipTokenizer') {
    flavor = 'siglip';
    className = 'SiglipTokenizer';
  } else if (cls === 'GemmaTokenizer') {
    flavor = 'gemma';
    className = 'GemmaTokenizer';
  } else if (cls === 'Siglip2Tokenizer') {
    flavor = 'siglip2';
    className = 'Siglip2Tokenizer';
  } else if (cls === null) {
    flavor = modelType === 'siglip2' ? 'siglip2' : 'siglip';
    className = flavor === 'siglip2' ? 'Siglip2Tokenizer' : 'SiglipTokenizer';
  } else {
    throw new SiglipError('MODEL_UNSUPPORTED', `tokenizer_class ${JSON.stringify(declared)} is not a SigLIP tokenizer`);
  }

  // SiglipTokenizer pads right by default; GemmaTokenizer's class default is "left" (tokenization_gemma.py),
  // and Siglip2Tokenizer subclasses it. An explicit padding_side in tokenizer_config always wins.
  const side = tokenizerConfig.padding_side;
  const paddingSide: 'left' | 'right' =
    side === 'left' || side === 'right' ? side : flavor === 'siglip' ? 'right' : 'left';

  const defaults = flavor === 'siglip' ? { eos: '</s>', pad: '</s>', unk: '<unk>' } : { eos: '<eos>', pad: '<pad>', unk: '<unk>' };
  return {
    flavor,
    className,
    paddingSide,
    eosToken: pick('eos_token', tokenizerConfig, specialTokensMap) ?? defaults.eos,
    padToken: pick('pad_token', tokenizerConfig, specialTokensMap) ?? defaults.pad,
    unkToken: pick('unk_token', tokenizerConfig, specialTokensMap) ?? defaults.unk,
  };
}
