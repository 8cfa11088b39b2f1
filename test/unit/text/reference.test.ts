import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SiglipTextProcessor } from '../../../src/processors/text/text-processor.js';

const FIX = join(__dirname, '../../fixtures');
const readJson = (p: string): unknown => JSON.parse(readFileSync(join(FIX, p), 'utf8'));
const loadDir = (dir: string): SiglipTextProcessor => {
  const opt = (f: string): unknown => {
    try { return readJson(join(dir, f)); } catch { return undefined; }
  };
  return SiglipTextProcessor.fromFiles({
    tokenizerJson: readJson(join(dir, 'tokenizer.json')),
    tokenizerConfig: readJson(join(dir, 'tokenizer_config.json')),
    specialTokensMap: opt('special_tokens_map.json'),
    config: opt('config.json'),
  });
};

interface TokCase { text: string; canonical_text?: string; input_ids: number[]; category?: string }
interface ZeroShotCase { texts: string[]; input_ids: number[][] }

const siglip = loadDir('siglip-shapes');
const siglip2 = loadDir('family/siglip2-shapes');

describe('SigLIP (SiglipTokenizer) reference tokenization', () => {
  const ref = readJson('reference/tokenization.json') as { cases: TokCase[]; pad_token_id: number; eos_token_id: number };
  it('has 85 cases and the expected special ids', () => {
    expect(ref.cases.length).toBe(85);
    expect(siglip.padTokenId).toBe(ref.pad_token_id);
    expect(siglip.eosTokenId).toBe(ref.eos_token_id);
  });
  it.each(ref.cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const out = siglip.encode([c.text], { template: false });
    expect(out.texts[0]).toBe(c.canonical_text);
    expect(out.inputIds[0]).toEqual(c.input_ids);
  });
});

describe('SigLIP 2 style (GemmaTokenizer) reference tokenization', () => {
  const ref = readJson('family/reference-siglip2/tokenization.json') as { cases: TokCase[] };
  it('has 40 cases', () => expect(ref.cases.length).toBe(40));
  it.each(ref.cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const out = siglip2.encode([c.text], { template: false });
    expect(out.texts[0]).toBe(c.text);
    expect(out.inputIds[0]).toEqual(c.input_ids);
  });
});

describe.each([
  ['reference/zero_shot.json', () => siglip],
  ['family/reference-siglip2/zero_shot.json', () => siglip2],
] as const)('zero-shot texts of %s', (file, proc) => {
  const ref = readJson(file) as { cases: ZeroShotCase[] };
  it('has cases', () => expect(ref.cases.length).toBeGreaterThan(0));
  it.each(ref.cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    expect(c.texts.length).toBe(c.input_ids.length);
    expect(proc().encode(c.texts, { template: false }).inputIds).toEqual(c.input_ids);
  });
});

describe('Siglip2Tokenizer (Gemma + Lowercase) against the stored Python comparison ids', () => {
  const ref = readJson('family/reference-siglip2/tokenization.json') as { cases: (TokCase & { siglip2_tokenizer_input_ids: number[]; lowercased_text_input_ids: number[] })[] };
  const dir = 'family/siglip2-shapes';
  const s2 = SiglipTextProcessor.fromFiles({
    tokenizerJson: readJson(join(dir, 'tokenizer.json')),
    tokenizerConfig: { ...(readJson(join(dir, 'tokenizer_config.json')) as Record<string, unknown>), tokenizer_class: 'Siglip2Tokenizer' },
  });
  it.each(ref.cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    expect(s2.encode([c.text], { template: false }).inputIds[0]).toEqual(c.siglip2_tokenizer_input_ids);
    expect(siglip2.encode([c.text.toLowerCase()], { template: false }).inputIds[0]).toEqual(c.lowercased_text_input_ids);
  });
});
