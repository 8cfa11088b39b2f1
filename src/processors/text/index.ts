export { SiglipTextProcessor, DEFAULT_MAX_LENGTH, modelBaseUrl } from './text-processor.js';
export type { EncodeOptions, EncodedTexts, FromPretrainedOptions, TextProcessorFiles, TextProcessorOptions } from './text-processor.js';
export { canonicalizeText, pythonLower, removePunctuation, collapseWhitespace, pythonStrip, PY_PUNCTUATION, PY_WHITESPACE } from './canonicalize.js';
export { applyTemplate, hasPlaceholder, DEFAULT_TEMPLATE } from './template.js';
export { resolveTokenizerPolicy } from './tokenizer-policy.js';
export type { TokenizerFlavor, TokenizerPolicy } from './tokenizer-policy.js';
export { SentencePieceNormalizer } from './sp-normalizer.js';
