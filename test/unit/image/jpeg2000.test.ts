/**
 * JPEG 2000 decodes like Pillow (open + exif_transpose + convert('RGB')): OpenJPEG in WebAssembly,
 * the same decoder Pillow links, on JP2 files and raw codestreams written by Pillow
 * (test/fixtures/jpeg2000/make_jpeg2000.py, and the photo zoo's two). What Pillow cannot load is
 * refused with a typed error; what Pillow loads but we do not decode is refused by name, not guessed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OpenJpegCodec } from '../../../src/engine/openjpeg-codec';
import { SiglipError } from '../../../src/errors';
import { decodeImageBytes } from '../../../src/processors/image/decode-browser';
import { sniffImageFormat } from '../../../src/processors/image/image-format';
import { decodeJpeg2000, isJpeg2000 } from '../../../src/processors/image/jpeg2000-decode';
import { fixtureBytes, fixtureJson } from './helpers';

const require = createRequire(import.meta.url);
const WASM = join(dirname(require.resolve('@cornerstonejs/codec-openjpeg/decodewasmjs')), 'openjpegwasm_decode.wasm');
const codec = new OpenJpegCodec(async () => new Uint8Array(await readFile(WASM)));

type Expected = { loads: true; width: number; height: number; rgb_sha256: string } | { loads: false; error: string };
const expected = fixtureJson<Record<string, Expected>>('jpeg2000', 'expected.json');
const zoo = fixtureJson<{ photos: { file: string; python: Expected }[] }>('photo-zoo', 'zoo.json').photos.filter((p) => /\.(jp2|j2k)$/.test(p.file));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Pillow loads these, siglip-web refuses them by name (README, "Formats"). */
const NOT_DECODED: Record<string, RegExp> = { 'gray16.jp2': /16-bit samples/, 'gray_alpha.jp2': /an alpha channel/, 'rgba.jp2': /an alpha channel/ };

const cases = [
  ...Object.entries(expected).map(([file, want]) => ({ file, want, bytes: () => fixtureBytes('jpeg2000', 'images', file) })),
  ...zoo.map((p) => ({ file: `zoo/${p.file}`, want: p.python, bytes: () => fixtureBytes('photo-zoo', 'images', p.file) })),
];

describe('JPEG 2000 equals Pillow', () => {
  it('the fixtures cover JP2 and codestreams, lossless and 9/7, grey, alpha, 16-bit, tiles, offsets and truncation', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    for (const c of cases) expect(isJpeg2000(c.bytes()), c.file).toBe(true);
    for (const c of cases) expect(sniffImageFormat(c.bytes()), c.file).toBe('jpeg2000');
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', async (file, c) => {
    const name = file.split('/').pop() as string;
    const decoding = decodeImageBytes(c.bytes(), name, { jpeg2000: codec });
    if (!c.want.loads) {
      await expect(decoding).rejects.toMatchObject({ code: 'IMAGE_DECODE' });
      return;
    }
    if (NOT_DECODED[name]) {
      await expect(decoding).rejects.toThrow(NOT_DECODED[name]);
      return;
    }
    const rgb = await decoding;
    expect([rgb.width, rgb.height]).toEqual([c.want.width, c.want.height]);
    expect(sha(rgb.data)).toBe(c.want.rgb_sha256);
  });

  it('without a codec passed in, JPEG 2000 is refused with advice', async () => {
    const bytes = fixtureBytes('jpeg2000', 'images', 'rgb_lossless.jp2');
    await expect(decodeImageBytes(bytes, 'scan.jp2')).rejects.toThrow(/scan\.jp2 is JPEG 2000.*siglip-web instance.*convert it to PNG or JPEG/);
  });

  it('a palette, sYCC colour or a reordered channel is refused by name before decoding', async () => {
    const jp2 = fixtureBytes('jpeg2000', 'images', 'rgb_lossless.jp2');
    const boxAt = (type: string): number => {
      for (let i = 0; i + 4 <= jp2.length; i++) if (String.fromCharCode(...jp2.subarray(i, i + 4)) === type) return i;
      throw new Error(`no ${type} box`);
    };
    const colr = boxAt('colr');
    const sycc = jp2.slice();
    new DataView(sycc.buffer).setUint32(colr + 4 + 3, 18);
    await expect(decodeJpeg2000(sycc, 'sycc.jp2', codec)).rejects.toThrow(/colour space 18/);
    const pclr = jp2.slice();
    pclr.set([0x70, 0x63, 0x6c, 0x72], colr); // the colr box renamed: a palette box as far as the header goes
    await expect(decodeJpeg2000(pclr, 'palette.jp2', codec)).rejects.toThrow(/palette/);
    await expect(decodeJpeg2000(pclr, 'palette.jp2', codec)).rejects.toBeInstanceOf(SiglipError);
  });

  it('a decoder failure is an IMAGE_DECODE, and the codec keeps working afterwards', async () => {
    const good = fixtureBytes('jpeg2000', 'images', 'rgb_codestream.j2k');
    const broken = good.slice();
    broken.fill(0xff, 200);
    await expect(decodeImageBytes(broken, 'broken.j2k', { jpeg2000: codec })).rejects.toMatchObject({ code: 'IMAGE_DECODE' });
    const rgb = await decodeImageBytes(good, 'good.j2k', { jpeg2000: codec });
    expect(sha(rgb.data)).toBe((expected['rgb_codestream.j2k'] as { rgb_sha256: string }).rgb_sha256);
  });
});
