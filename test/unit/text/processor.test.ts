import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SiglipError } from '../../../src/errors.js';
import { resolveModelRef } from '../../../src/model-ref/model-ref.js';
import { SiglipTextProcessor } from '../../../src/processors/text/text-processor.js';
import { applyTemplate } from '../../../src/processors/text/template.js';
import { resolveTokenizerPolicy } from '../../../src/processors/text/tokenizer-policy.js';

/** Hub ids are resolved once, on the page (model-ref); processors take the resolved folder. */
const modelBaseUrl = (model: string): string => resolveModelRef(model).baseUrl;

const FIX = join(__dirname, '../../fixtures');
const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIX, p), 'utf8')) as Record<string, unknown>;
const siglipFiles = {
  tokenizerJson: readJson('siglip-shapes/tokenizer.json'),
  tokenizerConfig: readJson('siglip-shapes/tokenizer_config.json'),
  specialTokensMap: readJson('siglip-shapes/special_tokens_map.json'),
  config: readJson('siglip-shapes/config.json'),
};
const gemmaFiles = {
  tokenizerJson: readJson('family/siglip2-shapes/tokenizer.json'),
  tokenizerConfig: readJson('family/siglip2-shapes/tokenizer_config.json'),
  config: readJson('family/siglip2-shapes/config.json'),
};
const siglip = SiglipTextProcessor.fromFiles(siglipFiles);
const gemma = SiglipTextProcessor.fromFiles(gemmaFiles);
const long = 'word '.repeat(200);

const expectCode = (fn: () => unknown, code: string): void => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SiglipError);
    expect((e as SiglipError).code).toBe(code);
    return;
  }
  throw new Error('expected a throw');
};

describe('templates', () => {
  it('supports {label} and {} and keeps $ sequences literal', () => {
    expect(applyTemplate('This is a photo of {label}.', 'cat')).toBe('This is a photo of cat.');
    expect(applyTemplate('a {} b', '$&x')).toBe('a $&x b');
  });
  it('rejects templates without a placeholder', () => {
    expectCode(() => applyTemplate('no placeholder', 'cat'), 'INVALID_INPUT');
    expectCode(() => siglip.encode(['cat'], { template: 'nothing' }), 'INVALID_INPUT');
  });
  it('default template reproduces the Python pipeline texts', () => {
    for (const [file, proc] of [['reference/zero_shot.json', siglip], ['family/reference-siglip2/zero_shot.json', gemma]] as const) {
      const cases = readJson(file).cases as { candidate_labels: string[]; hypothesis_template: string | null; texts: string[]; input_ids: number[][] }[];
      for (const c of cases) {
        const opts = c.hypothesis_template ? { template: c.hypothesis_template } : {};
        const out = proc.encode(c.candidate_labels, opts);
        expect(out.inputIds).toEqual(c.input_ids);
        if (proc === gemma) expect(out.texts).toEqual(c.texts);
      }
    }
  });
});

describe('truncation and padding', () => {
  it('SigLIP: 63 pieces + eos, right-padded with pad id (= </s>)', () => {
    const [ids] = siglip.encode([long], { template: false }).inputIds;
    expect(ids!.length).toBe(64);
    expect(ids![63]).toBe(siglip.eosTokenId);
    expect(ids!.slice(0, 63).every((x) => x !== siglip.eosTokenId)).toBe(true);
    const [short] = siglip.encode(['cat'], { template: false }).inputIds;
    expect(short!.slice(3).every((x) => x === siglip.padTokenId)).toBe(true);
  });
  it('Gemma: eos kept, <pad> id used, padding side from tokenizer_config', () => {
    expect(gemma.padTokenId).toBe(0);
    expect(gemma.eosTokenId).toBe(1);
    const [ids] = gemma.encode([long], { template: false }).inputIds;
    expect(ids![63]).toBe(1);
    const [short] = gemma.encode(['cat'], { template: false }).inputIds;
    expect(short![short!.length - 1]).toBe(0);
    const left = SiglipTextProcessor.fromFiles({
      ...gemmaFiles,
      tokenizerConfig: { ...gemmaFiles.tokenizerConfig, padding_side: undefined },
    });
    const [l] = left.encode(['cat'], { template: false }).inputIds;
    expect(l![0]).toBe(0);
    expect(l![63]).toBe(1);
  });
  it('Gemma: no eos when the post_processor is null', () => {
    const p = SiglipTextProcessor.fromFiles({ ...gemmaFiles, tokenizerJson: { ...gemmaFiles.tokenizerJson, post_processor: null } });
    const [ids] = p.encode(['cat'], { template: false }).inputIds;
    expect(ids!.includes(1)).toBe(false);
  });
});

describe('policy', () => {
  it('resolves classes like AutoTokenizer', () => {
    expect(resolveTokenizerPolicy({ tokenizer_class: 'SiglipTokenizer' }).flavor).toBe('siglip');
    expect(resolveTokenizerPolicy({ tokenizer_class: 'GemmaTokenizerFast' }).flavor).toBe('gemma');
    expect(resolveTokenizerPolicy({}, undefined, { model_type: 'siglip2' }).flavor).toBe('siglip2');
    expect(resolveTokenizerPolicy({}, undefined, { model_type: 'siglip' }).flavor).toBe('siglip');
    expect(resolveTokenizerPolicy({ tokenizer_class: 'GemmaTokenizer' }).paddingSide).toBe('left');
    expectCode(() => resolveTokenizerPolicy({ tokenizer_class: 'BertTokenizer' }), 'MODEL_UNSUPPORTED');
  });
  it('Siglip2Tokenizer lowercases, GemmaTokenizer does not', () => {
    const s2 = SiglipTextProcessor.fromFiles({ ...gemmaFiles, tokenizerConfig: { ...gemmaFiles.tokenizerConfig, tokenizer_class: 'Siglip2Tokenizer' } });
    const ref = (readJson('family/reference-siglip2/tokenization.json').cases as { text: string; input_ids_of_lower?: number[] }[]);
    expect(s2.encode(['A RED Circle'], { template: false }).inputIds).toEqual(gemma.encode(['a red circle'], { template: false }).inputIds);
    expect(gemma.encode(['A RED Circle'], { template: false }).inputIds).not.toEqual(gemma.encode(['a red circle'], { template: false }).inputIds);
    expect(ref.length).toBe(40);
  });
});

describe('errors', () => {
  it('bad input is INVALID_INPUT', () => {
    expectCode(() => siglip.encode([42 as unknown as string]), 'INVALID_INPUT');
    expectCode(() => siglip.encode('cat' as unknown as string[]), 'INVALID_INPUT');
    expectCode(() => siglip.encode(['cat'], { template: 3 as unknown as string }), 'INVALID_INPUT');
  });
  it('bad files are MODEL_LOAD', () => {
    expectCode(() => SiglipTextProcessor.fromFiles({ tokenizerJson: null, tokenizerConfig: {} }), 'MODEL_LOAD');
    expectCode(() => SiglipTextProcessor.fromFiles({ tokenizerJson: {}, tokenizerConfig: {} }), 'MODEL_LOAD');
    expectCode(
      () => SiglipTextProcessor.fromFiles({ ...siglipFiles, tokenizerJson: { ...siglipFiles.tokenizerJson, normalizer: null } }),
      'MODEL_LOAD',
    );
  });
});

describe('fromPretrained', () => {
  it('builds hub and folder URLs', () => {
    expect(modelBaseUrl('Xenova/siglip-base-patch16-224')).toBe('https://huggingface.co/Xenova/siglip-base-patch16-224/resolve/main/');
    expect(modelBaseUrl('https://x.test/m')).toBe('https://x.test/m/');
    expect(modelBaseUrl('https://x.test/m/')).toBe('https://x.test/m/');
    expectCode(() => modelBaseUrl('not a model'), 'INVALID_INPUT');
  });
  it('loads with an injected fetch; missing optional files are fine, missing tokenizer.json is MODEL_LOAD', async () => {
    const files: Record<string, unknown> = {
      'tokenizer.json': siglipFiles.tokenizerJson,
      'tokenizer_config.json': siglipFiles.tokenizerConfig,
    };
    const seen: string[] = [];
    const fakeFetch = (async (url: string) => {
      seen.push(url);
      const name = url.split('/').pop()!;
      return name in files ? new Response(JSON.stringify(files[name])) : new Response('nope', { status: 404 });
    }) as unknown as typeof fetch;
    const p = await SiglipTextProcessor.fromPretrained('https://x.test/model', { fetch: fakeFetch });
    expect(seen).toContain('https://x.test/model/tokenizer.json');
    expect(p.encode(['cat']).inputIds).toEqual(siglip.encode(['cat']).inputIds);
    delete files['tokenizer.json'];
    await expect(SiglipTextProcessor.fromPretrained('https://x.test/model', { fetch: fakeFetch })).rejects.toMatchObject({ code: 'MODEL_LOAD' });
  });
});
