import { describe, expect, it } from 'vitest';
import { buildChannelLookupTables, rgbToNormalizedChw } from '../../../src/processors/image/rescale-normalize';
import { fixtureJson } from './helpers';

const siglip = { doRescale: true, rescaleFactor: 0.00392156862745098, doNormalize: true, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5] } as const;

describe('rescale + normalize lookup tables', () => {
  for (const file of [['family', 'reference-384', 'embeddings.json'], ['family', 'reference-cls', 'classification.json']]) {
    it(`all 256 levels are bit-identical to pil_float32_value_of_uint8 in ${file.slice(1).join('/')}`, () => {
      const reference = Float32Array.from(fixtureJson<{ pil_float32_value_of_uint8: number[] }>(...file).pil_float32_value_of_uint8);
      expect(reference.length).toBe(256);
      for (const table of buildChannelLookupTables(siglip)) {
        const mismatched = Array.from(table.keys()).filter((u) => !Object.is(table[u], reference[u]));
        expect(mismatched).toEqual([]);
      }
    });
  }

  it('without rescale or normalize the levels pass through as float32', () => {
    const [r] = buildChannelLookupTables({ ...siglip, doRescale: false, doNormalize: false });
    expect(Array.from(r)).toEqual(Array.from({ length: 256 }, (_, u) => u));
  });

  it('uses a separate table per channel', () => {
    const [r, g, b] = buildChannelLookupTables({ ...siglip, imageMean: [0, 0.5, 1], imageStd: [1, 0.5, 0.25] });
    expect(r[255]).toBe(1);
    expect(g[255]).toBe(1);
    expect(b[0]).toBe(-4);
  });

  it('writes CHW planes', () => {
    const tables = buildChannelLookupTables({ ...siglip, doRescale: false, doNormalize: false });
    const out = rgbToNormalizedChw({ data: Uint8Array.from([1, 2, 3, 4, 5, 6]), width: 2, height: 1 }, tables);
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
