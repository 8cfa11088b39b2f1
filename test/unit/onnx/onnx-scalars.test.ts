import { describe, expect, it } from 'vitest';
import { SiglipError } from '../../../src/errors.js';
import { memorySource, openHttpSource } from '../../../src/onnx/byte-source.js';
import { readLogitParams, readLogitParamsFromSource, type LogitParams } from '../../../src/onnx/onnx-scalars.js';
import { BASE_URL, fixtureBytes, fixtureFetch, fixtureJson } from './fixture-fetch.js';
import { float32Raw, model, siglipHead } from './onnx-builder.js';

interface RefScalars {
  logit_scale_raw: number;
  logit_scale_exp: number;
  logit_bias: number;
}

const F32_EPS = 2 ** -23;

/** Reference values are float32 tensors printed by Python; compare at float32 resolution. */
function expectMatchesReference(p: LogitParams, ref: RefScalars): void {
  expect(Math.abs(p.logitScaleExp - ref.logit_scale_exp)).toBeLessThanOrEqual(ref.logit_scale_exp * F32_EPS);
  expect(Math.abs(Math.log(p.logitScaleExp) - ref.logit_scale_raw)).toBeLessThanOrEqual(Math.abs(ref.logit_scale_raw) * 4 * F32_EPS + 1e-12);
  expect(p.logitBias).toBe(Math.fround(ref.logit_bias));
}

const CASES: Array<{ file: string; ref: string }> = [
  { file: 'siglip-shapes/onnx/model.onnx', ref: 'reference/embeddings.json' },
  { file: 'siglip-shapes/onnx/model_quantized.onnx', ref: 'reference/embeddings.json' },
  { file: 'family/siglip2-shapes/onnx/model.onnx', ref: 'family/reference-siglip2/embeddings.json' },
  { file: 'family/siglip2-shapes/onnx/model_quantized.onnx', ref: 'family/reference-siglip2/embeddings.json' },
  { file: 'family/siglip-384-random/onnx/model.onnx', ref: 'family/reference-384/embeddings.json' },
];

async function expectModelLoad(p: Promise<unknown>, message?: RegExp): Promise<SiglipError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SiglipError);
  const se = err as SiglipError;
  expect(se.code).toBe('MODEL_LOAD');
  if (message !== undefined) expect(se.message).toMatch(message);
  return se;
}

describe('readLogitParamsFromSource on the fixture exports', () => {
  for (const c of CASES) {
    it(`${c.file} matches ${c.ref} to float32 precision`, async () => {
      const p = await readLogitParamsFromSource(memorySource(fixtureBytes(c.file)), { label: c.file });
      expectMatchesReference(p, fixtureJson<RefScalars>(c.ref));
      expect(p.source).toContain('float32');
      expect(p.source).toContain(c.file);
    });
  }

  it('model_fp16.onnx stores the scalars as float16: close, but not float32-exact', async () => {
    const ref = fixtureJson<RefScalars>('reference/embeddings.json');
    const p = await readLogitParamsFromSource(memorySource(fixtureBytes('siglip-shapes/onnx/model_fp16.onnx')));
    expect(p.source).toContain('float16');
    expect(Math.abs(p.logitScaleExp - ref.logit_scale_exp)).toBeLessThan(ref.logit_scale_exp * 2 ** -9);
    expect(Math.abs(p.logitBias - ref.logit_bias)).toBeLessThan(Math.abs(ref.logit_bias) * 2 ** -10);
    expect(Math.abs(p.logitScaleExp - ref.logit_scale_exp)).toBeGreaterThan(ref.logit_scale_exp * F32_EPS);
  });

  it('rejects graphs without the scalars (classifier head, vision tower)', async () => {
    for (const file of ['family/siglip-shapes-cls/onnx/model.onnx', 'siglip-shapes/onnx/vision_model.onnx', 'siglip-shapes/onnx/text_model.onnx']) {
      await expectModelLoad(readLogitParamsFromSource(memorySource(fixtureBytes(file)), { label: file }), /no logits/);
    }
  });

  it('rejects truncated files wherever they are cut', async () => {
    const full = fixtureBytes('siglip-shapes/onnx/model.onnx');
    for (const cut of [0, 5, 100, 150_000, Math.floor(full.length / 2), full.length - 100]) {
      await expectModelLoad(readLogitParamsFromSource(memorySource(full.subarray(0, cut))));
    }
  });

  it('rejects bytes that are not protobuf', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    await expectModelLoad(readLogitParamsFromSource(memorySource(junk)));
  });
});

describe('readLogitParamsFromSource on hand-made graphs', () => {
  const scaleLog = Math.fround(Math.log(17.25));
  const bias = Math.fround(-6.5);

  it('follows Exp and reads initializers written before the nodes are known to need them', async () => {
    const bytes = model(siglipHead('s', 'b'), [
      { name: 'big.weight', dims: [64, 64], raw: float32Raw(Array.from({ length: 4096 }, (_, i) => i)) },
      { name: 's', dims: [1], raw: float32Raw([scaleLog]) },
      { name: 'b', dims: [], floatData: [bias] },
    ]);
    const p = await readLogitParamsFromSource(memorySource(bytes));
    expect(p.logitScaleExp).toBe(Math.fround(Math.exp(scaleLog)));
    expect(p.logitBias).toBe(bias);
  });

  it('uses a folded exp stored in a Constant node as is', async () => {
    const folded = Math.fround(Math.exp(scaleLog));
    const nodes = [
      { op: 'Constant', inputs: [], outputs: ['c_scale'], value: { name: '', dims: [], raw: float32Raw([folded]) } },
      { op: 'Constant', inputs: [], outputs: ['c_bias'], valueFloat: bias },
      ...siglipHead('c_scale', 'c_bias', false),
    ];
    const p = await readLogitParamsFromSource(memorySource(model(nodes, [])));
    expect(p.logitScaleExp).toBe(folded);
    expect(p.logitBias).toBe(bias);
    expect(p.source).toContain('folded');
  });

  it('falls back to HF parameter names when the graph pattern is absent', async () => {
    const nodes = [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }];
    const p = await readLogitParamsFromSource(
      memorySource(model(nodes, [
        { name: 'logit_bias', dims: [1], raw: float32Raw([bias]) },
        { name: 'logit_scale', dims: [1], raw: float32Raw([scaleLog]) },
      ], ['y'])),
    );
    expect(p.logitScaleExp).toBe(Math.fround(Math.exp(scaleLog)));
    expect(p.logitBias).toBe(bias);
    expect(p.source).toContain('named');
  });

  it('reads scalars kept in ONNX external data through the opener', async () => {
    const data = new Uint8Array(32);
    data.set(float32Raw([scaleLog]), 8);
    data.set(float32Raw([bias]), 20);
    const bytes = model(siglipHead('s', 'b'), [
      { name: 's', dims: [1], external: { location: 'model.onnx_data', offset: 8, length: 4 } },
      { name: 'b', dims: [1], external: { location: 'model.onnx_data', offset: 20, length: 4 } },
    ]);
    const opened: string[] = [];
    const p = await readLogitParamsFromSource(memorySource(bytes), {
      openExternal: (loc) => {
        opened.push(loc);
        return Promise.resolve(memorySource(data));
      },
    });
    expect(opened).toEqual(['model.onnx_data', 'model.onnx_data']);
    expect(p.logitScaleExp).toBe(Math.fround(Math.exp(scaleLog)));
    expect(p.logitBias).toBe(bias);
    await expectModelLoad(readLogitParamsFromSource(memorySource(bytes)), /external/);
  });

  it('reports referenced-but-missing initializers', async () => {
    await expectModelLoad(readLogitParamsFromSource(memorySource(model(siglipHead('s', 'b'), [{ name: 's', dims: [1], raw: float32Raw([scaleLog]) }]))), /b/);
  });
});

describe('readLogitParams over HTTP', () => {
  const file = 'siglip-shapes/onnx/model.onnx';
  const size = fixtureBytes(file).length;
  const ref = fixtureJson<RefScalars>('reference/embeddings.json');

  it('uses Range requests and skips the weights', async () => {
    const { fetch, log } = fixtureFetch({ honorRange: true });
    const p = await readLogitParams(`${BASE_URL}siglip-shapes/`, { fetch });
    expectMatchesReference(p, ref);
    expect(p.source.startsWith('onnx/model.onnx')).toBe(true);
    expect(log.ranges.length).toBe(log.requests);
    expect(log.requests).toBeLessThanOrEqual(4);
    expect(log.bytesSent).toBeLessThan(size / 10);
  });

  it('still finds them by walking every tensor header when the tail probe is off', async () => {
    const { fetch, log } = fixtureFetch({ honorRange: true });
    const src = await openHttpSource(`${BASE_URL}${file}`, { fetch });
    const p = await readLogitParamsFromSource(src, { tailProbe: false });
    expectMatchesReference(p, ref);
    expect(log.bytesSent).toBeLessThan(size);
    expect(log.requests).toBeGreaterThan(4);
  });

  it('streams the body once when the server ignores Range, and hangs up early when it can', async () => {
    const full = fixtureFetch({ honorRange: false });
    expectMatchesReference(await readLogitParams(`${BASE_URL}siglip-shapes/`, { fetch: full.fetch }), ref);
    expect(full.log.requests).toBe(1);

    // Quantized exports put the scalars before the big weights.
    const quant = fixtureFetch({ honorRange: false });
    const qsize = fixtureBytes('siglip-shapes/onnx/model_quantized.onnx').length;
    const p = await readLogitParams(`${BASE_URL}siglip-shapes/`, { fetch: quant.fetch, files: ['onnx/model_quantized.onnx'] });
    expectMatchesReference(p, ref);
    expect(quant.log.cancelled).toBe(1);
    expect(quant.log.bytesSent).toBeLessThan(qsize / 2);
  });

  it('tries the next candidate when a file is missing', async () => {
    const { fetch } = fixtureFetch({ honorRange: true, missing: ['family/siglip2-shapes/onnx/model.onnx'] });
    const p = await readLogitParams(`${BASE_URL}family/siglip2-shapes`, { fetch });
    expect(p.source.startsWith('onnx/model_quantized.onnx')).toBe(true);
    expectMatchesReference(p, fixtureJson<RefScalars>('family/reference-siglip2/embeddings.json'));
  });

  it('throws MODEL_LOAD listing every candidate when none works', async () => {
    const { fetch } = fixtureFetch({ honorRange: true });
    const err = await expectModelLoad(readLogitParams(`${BASE_URL}family/siglip-shapes-cls/`, { fetch }), /onnx\/model\.onnx: .*no logits/);
    expect(err.message).toContain('onnx/model_fp16.onnx: not found');
    await expectModelLoad(readLogitParams(`${BASE_URL}nothing-here/`, { fetch, files: ['onnx/model.onnx'] }), /not found/);
  });

  it('throws MODEL_LOAD for a truncated file, with and without Range', async () => {
    for (const honorRange of [true, false]) {
      const { fetch } = fixtureFetch({ honorRange, truncateTo: Math.floor(size * 0.6) });
      await expectModelLoad(readLogitParams(`${BASE_URL}siglip-shapes/`, { fetch, files: ['onnx/model.onnx'] }), /truncated|ends/);
    }
  });

  it('maps an aborted signal to ABORTED', async () => {
    const { fetch } = fixtureFetch({ honorRange: true });
    const ac = new AbortController();
    ac.abort();
    const err = await readLogitParams(`${BASE_URL}siglip-shapes/`, { fetch, signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiglipError);
    expect((err as SiglipError).code).toBe('ABORTED');
  });
});
