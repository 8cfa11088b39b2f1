import { describe, expect, it } from 'vitest';
import { SiglipError } from '../../../src/errors';
import { resolveModelRef } from '../../../src/model-ref/model-ref';
import { preprocessorConfigUrl, SiglipImageProcessor } from '../../../src/processors/image/image-processor';
import { fixtureBytes, fixtureFloat32, fixtureJson } from './helpers';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof SiglipError ? e.code : `not a SiglipError: ${String(e)}`;
  }
  return 'no error';
}

async function asyncCodeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof SiglipError ? e.code : `not a SiglipError: ${String(e)}`;
  }
  return 'no error';
}

const shapesConfig = fixtureJson<Record<string, unknown>>('siglip-shapes', 'preprocessor_config.json');

describe('SiglipImageProcessor.fromConfig', () => {
  it('reads the fixture config', () => {
    const p = SiglipImageProcessor.fromConfig(shapesConfig);
    expect(p.config).toEqual({
      doResize: true,
      size: { height: 224, width: 224 },
      resample: 3,
      doRescale: true,
      rescaleFactor: 0.00392156862745098,
      doNormalize: true,
      imageMean: [0.5, 0.5, 0.5],
      imageStd: [0.5, 0.5, 0.5],
    });
    expect(p.size).toEqual({ height: 224, width: 224 });
  });

  it('fills transformers defaults and accepts scalar size / mean / std', () => {
    const p = SiglipImageProcessor.fromConfig({ size: 384, image_mean: 0.25, image_std: [2] });
    expect(p.config.size).toEqual({ height: 384, width: 384 });
    expect(p.config.resample).toBe(3);
    expect(p.config.rescaleFactor).toBe(1 / 255);
    expect(p.config.imageMean).toEqual([0.25, 0.25, 0.25]);
    expect(p.config.imageStd).toEqual([2, 2, 2]);
  });

  it('rejects configs it cannot reproduce', () => {
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ resample: 7 }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ size: { shortest_edge: 224 } }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ size: { height: 0, width: 3 } }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ image_mean: [0.5, 0.5] }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ image_std: [0.5, 0, 0.5] }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ do_resize: 'yes' }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ rescale_factor: '1/255' }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ image_processor_type: 'Siglip2ImageProcessorFast' }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig({ do_center_crop: true }))).toBe('MODEL_UNSUPPORTED');
    expect(codeOf(() => SiglipImageProcessor.fromConfig([] as unknown as object))).toBe('MODEL_UNSUPPORTED');
  });
});

describe('SiglipImageProcessor.fromPretrained', () => {
  it('resolves folder URLs, direct JSON URLs and hub ids (resolved once, by model-ref)', () => {
    expect(preprocessorConfigUrl('https://host/models/siglip/')).toBe('https://host/models/siglip/preprocessor_config.json');
    expect(preprocessorConfigUrl('https://host/models/siglip')).toBe('https://host/models/siglip/preprocessor_config.json');
    expect(preprocessorConfigUrl('./models/siglip')).toBe('./models/siglip/preprocessor_config.json');
    expect(preprocessorConfigUrl('/m/x/preprocessor_config.json')).toBe('/m/x/preprocessor_config.json');
    expect(preprocessorConfigUrl(resolveModelRef('google/siglip-base-patch16-224'))).toBe('https://huggingface.co/google/siglip-base-patch16-224/resolve/main/preprocessor_config.json');
    expect(preprocessorConfigUrl(resolveModelRef('Xenova/siglip-base-patch16-224', { revision: 'v1.0' }))).toBe('https://huggingface.co/Xenova/siglip-base-patch16-224/resolve/v1.0/preprocessor_config.json');
    expect(codeOf(() => preprocessorConfigUrl('not a model id'))).toBe('INVALID_INPUT');
    expect(codeOf(() => preprocessorConfigUrl('a/b/c'))).toBe('INVALID_INPUT');
    expect(codeOf(() => resolveModelRef('not a model id'))).toBe('INVALID_INPUT');
    expect(codeOf(() => resolveModelRef('a/b/c'))).toBe('INVALID_INPUT');
    // A hub id is never parsed by the processor itself.
    expect(codeOf(() => preprocessorConfigUrl('google/siglip-base-patch16-224'))).toBe('INVALID_INPUT');
  });

  it('fetches through the injected fetch', async () => {
    const seen: string[] = [];
    const fakeFetch = async (url: string): Promise<Response> => {
      seen.push(url);
      return new Response(JSON.stringify({ ...shapesConfig, size: { height: 384, width: 384 } }), { status: 200 });
    };
    const p = await SiglipImageProcessor.fromPretrained(resolveModelRef('owner/name'), { fetch: fakeFetch });
    expect(seen).toEqual(['https://huggingface.co/owner/name/resolve/main/preprocessor_config.json']);
    expect(p.size).toEqual({ height: 384, width: 384 });
  });

  it('reports HTTP errors, bad JSON and network failures as MODEL_LOAD', async () => {
    const status404 = async (): Promise<Response> => new Response('nope', { status: 404, statusText: 'Not Found' });
    const badJson = async (): Promise<Response> => new Response('{oops', { status: 200 });
    const offline = async (): Promise<Response> => {
      throw new TypeError('Failed to fetch');
    };
    expect(await asyncCodeOf(SiglipImageProcessor.fromPretrained('https://h/m/', { fetch: status404 }))).toBe('MODEL_LOAD');
    expect(await asyncCodeOf(SiglipImageProcessor.fromPretrained('https://h/m/', { fetch: badJson }))).toBe('MODEL_LOAD');
    expect(await asyncCodeOf(SiglipImageProcessor.fromPretrained('https://h/m/', { fetch: offline }))).toBe('MODEL_LOAD');
  });
});

describe('SiglipImageProcessor.process / processPixels', () => {
  const processor = SiglipImageProcessor.fromConfig(shapesConfig);

  it('stacks a batch in order (NCHW), matching each image processed alone', async () => {
    const names = ['tiny_7x5.png', 'shape_purple_cross_palette.png'];
    const { pixelValues, dims } = await processor.process(names.map((n) => new Blob([fixtureBytes('reference', 'images', n)])));
    expect(dims).toEqual([2, 3, 224, 224]);
    const plane = 3 * 224 * 224;
    names.forEach((n, i) => {
      const expected = fixtureFloat32('reference', 'pixel_values', n.replace('.png', '.pil.bin'));
      expect(Buffer.from(pixelValues.buffer, i * plane * 4, plane * 4).equals(Buffer.from(expected.buffer))).toBe(true);
    });
  });

  it('a single RGB image gives batch 1; do_resize false keeps the input size', () => {
    const rgb = { data: new Uint8Array(5 * 4 * 3).fill(255), width: 5, height: 4 };
    expect(processor.processPixels(rgb).dims).toEqual([1, 3, 224, 224]);
    const noResize = SiglipImageProcessor.fromConfig({ ...shapesConfig, do_resize: false });
    const out = noResize.processPixels([rgb, rgb]);
    expect(out.dims).toEqual([2, 3, 4, 5]);
    expect(Array.from(new Set(out.pixelValues))).toEqual([1]);
    const other = { data: new Uint8Array(4 * 4 * 3), width: 4, height: 4 };
    expect(codeOf(() => noResize.processPixels([rgb, other]))).toBe('INVALID_INPUT');
  });

  it('rejects zero-size, inconsistent and unsupported inputs', async () => {
    expect(codeOf(() => processor.processPixels({ data: new Uint8Array(0), width: 0, height: 0 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => processor.processPixels({ data: new Uint8Array(10), width: 2, height: 2 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => processor.processPixels([]))).toBe('INVALID_INPUT');
    expect(await asyncCodeOf(processor.process({ foo: 1 } as unknown as Blob))).toBe('INVALID_INPUT');
    expect(await asyncCodeOf(processor.process('https://example.com/cat.png' as unknown as Blob))).toBe('INVALID_INPUT');
    expect(await asyncCodeOf(processor.process(new Uint8Array(0)))).toBe('INVALID_INPUT');
    const truncated = fixtureBytes('reference', 'images', 'chelsea_cat.png').subarray(0, 5000);
    expect(await asyncCodeOf(processor.process([fixtureBytes('reference', 'images', 'tiny_7x5.png'), truncated]))).toBe('IMAGE_DECODE');
  });
});
