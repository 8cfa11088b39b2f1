/**
 * Our own GIF, BMP, lossless-WebP and TIFF decoders against Pillow: every image written by
 * test/fixtures/decoders/make_reference.py must decode to exactly the RGB of
 * transformers.image_utils.load_image (stored as expected/<file>.png).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBmp } from '../../../src/processors/image/bmp-decode';
import { decodeGif } from '../../../src/processors/image/gif-decode';
import { decodePng } from '../../../src/processors/image/png-decode';
import type { RgbImage } from '../../../src/processors/image/rgb-image';
import { decodeTiff } from '../../../src/processors/image/tiff-decode';
import { decodeWebp, simpleLossyWebp, type LossyWebpDecoder } from '../../../src/processors/image/webp-decode';
import { SiglipError } from '../../../src/errors';
import { diffStats, fixtureBytes, fixtureJson } from './helpers';

interface DecoderFixture {
  file: string;
  variant: string;
  format: string;
  size_loaded: [number, number];
}

interface TiffErrorFixture {
  file: string;
  variant: string;
  pillow: 'ok' | 'error';
}

interface TiffTruncation {
  file: string;
  /** Cut lengths Pillow refuses. */
  error_at: number[];
  /** Cut lengths Pillow still decodes, with the sha256 of the RGB it returns. */
  ok_at: Record<string, string>;
}

const manifest = fixtureJson<{ images: DecoderFixture[]; tiff_errors: TiffErrorFixture[]; tiff_truncated: TiffTruncation[] }>('decoders', 'manifest.json');
const byFormat = (format: string): DecoderFixture[] => manifest.images.filter((e) => e.format === format);

async function expectedRgb(file: string): Promise<RgbImage> {
  return decodePng(fixtureBytes('decoders', 'expected', `${file}.png`));
}

const noLossy: LossyWebpDecoder = () => Promise.reject(new Error('lossy WebP needs a browser'));
const isLossless = (e: DecoderFixture): boolean => /lossless/.test(e.file);

async function decodeFixture(entry: DecoderFixture): Promise<RgbImage> {
  const bytes = fixtureBytes('decoders', 'images', entry.file);
  if (entry.format === 'GIF') return decodeGif(bytes, entry.file);
  if (entry.format === 'BMP') return decodeBmp(bytes, entry.file);
  if (entry.format === 'TIFF') return decodeTiff(bytes, entry.file);
  return decodeWebp(bytes, noLossy, entry.file);
}

describe.each([
  ['GIF', byFormat('GIF')],
  ['BMP', byFormat('BMP')],
  ['lossless WebP', byFormat('WEBP').filter(isLossless)],
  ['TIFF', byFormat('TIFF')],
])('%s decodes exactly as Pillow', (_name, entries) => {
  it.each(entries.map((e) => [e.file, e] as const))('%s', async (_file, entry) => {
    const [got, want] = await Promise.all([decodeFixture(entry), expectedRgb(entry.file)]);
    expect([got.width, got.height]).toEqual(entry.size_loaded);
    expect(diffStats(got.data, want.data).mismatches).toBe(0);
  });
});

describe('lossy WebP container handling', () => {
  const lossy = byFormat('WEBP').filter((e) => !isLossless(e));

  it.each(lossy.map((e) => [e.file, e] as const))('%s hands a bare VP8 file to the lossy decoder and orients the result', async (_file, entry) => {
    const handedOver: Uint8Array[] = [];
    // A stand-in lossy decoder that returns the expected (unoriented) pixels, so only container logic is tested.
    const want = await expectedRgb(entry.file);
    const orientation3 = /rot3/.test(entry.file);
    const fake: LossyWebpDecoder = async (file) => {
      handedOver.push(file);
      const pixels = orientation3 ? { ...want, data: rotate180(want) } : want;
      return /animated/.test(entry.file) ? { ...pixels } : pixels;
    };
    const got = await decodeWebp(fixtureBytes('decoders', 'images', entry.file), fake, entry.file);
    expect(handedOver).toHaveLength(1);
    const text = String.fromCharCode(...handedOver[0].subarray(0, 16));
    expect(text).toBe('RIFF' + text.slice(4, 8) + 'WEBPVP8 ');
    expect(got.width * got.height).toBe(want.width * want.height);
    if (!/animated/.test(entry.file)) expect(diffStats(got.data, want.data).mismatches).toBe(0);
  });

  it('wraps a VP8 payload as a RIFF file of the right length (odd payloads padded)', () => {
    const file = simpleLossyWebp(new Uint8Array([1, 2, 3]));
    expect(file.length).toBe(24);
    expect(new DataView(file.buffer).getUint32(4, true)).toBe(16);
    expect(new DataView(file.buffer).getUint32(16, true)).toBe(3);
  });
});

function rotate180(image: RgbImage): Uint8Array {
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out.set(image.data.subarray(3 * i, 3 * i + 3), 3 * (n - 1 - i));
  return out;
}

describe('truncated and corrupt files are IMAGE_DECODE errors, never hangs or garbage', () => {
  const samples = ['gif_basic.gif', 'gif_interlaced.gif', 'bmp_24.bmp', 'bmp_rle8.bmp', 'bmp_4_palette.bmp', 'webp_lossless_alpha_exact.webp', 'webp_lossless_200colors.webp'];
  const decode = (file: string, bytes: Uint8Array): Promise<RgbImage> =>
    file.endsWith('.gif') ? Promise.resolve().then(() => decodeGif(bytes, file)) : file.endsWith('.bmp') ? Promise.resolve().then(() => decodeBmp(bytes, file)) : decodeWebp(bytes, noLossy, file);

  it.each(samples)('%s cut at several points', async (file) => {
    const bytes = fixtureBytes('decoders', 'images', file);
    for (const fraction of [0.05, 0.3, 0.6, 0.9]) {
      const cut = bytes.slice(0, Math.max(1, Math.floor(bytes.length * fraction)));
      const error = await decode(file, cut).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `${file} cut to ${cut.length} bytes`).toBeInstanceOf(SiglipError);
      expect((error as SiglipError).code).toBe('IMAGE_DECODE');
    }
  });

  it('a lossless WebP with flipped bits fails cleanly or decodes to the declared size', async () => {
    const bytes = fixtureBytes('decoders', 'images', 'webp_lossless_rgb.webp');
    for (let i = 0; i < 40; i++) {
      const damaged = bytes.slice();
      const at = 30 + ((i * 97) % (bytes.length - 30));
      damaged[at] ^= 1 << (i % 8);
      try {
        const image = await decodeWebp(damaged, noLossy);
        expect(image.data.length).toBe(image.width * image.height * 3);
      } catch (err) {
        expect(err).toBeInstanceOf(SiglipError);
        expect((err as SiglipError).code).toBe('IMAGE_DECODE');
      }
    }
  });
});

describe('TIFF failures follow Pillow', () => {
  const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
  const outcome = (bytes: Uint8Array, label: string): Promise<RgbImage | SiglipError> =>
    decodeTiff(bytes, label).then(
      (image) => image,
      (e: unknown) => e as SiglipError,
    );

  it.each(manifest.tiff_errors.map((e) => [e.file, e] as const))('%s is an IMAGE_DECODE error', async (_file, entry) => {
    const error = await outcome(fixtureBytes('decoders', 'images', entry.file), entry.file);
    expect(error).toBeInstanceOf(SiglipError);
    expect((error as SiglipError).code).toBe('IMAGE_DECODE');
    if (entry.pillow === 'ok') expect((error as SiglipError).message).toMatch(/JPEG compression is not supported; convert it to JPEG or PNG/);
  });

  it.each(manifest.tiff_truncated.map((e) => [e.file, e] as const))('%s cut short: an error exactly where Pillow raises, else Pillow\'s pixels', async (_file, entry) => {
    const bytes = fixtureBytes('decoders', 'images', entry.file);
    for (const cut of entry.error_at) {
      const got = await outcome(bytes.slice(0, cut), entry.file);
      expect(got, `${entry.file} cut to ${cut} bytes`).toBeInstanceOf(SiglipError);
      expect((got as SiglipError).code).toBe('IMAGE_DECODE');
    }
    for (const [cut, want] of Object.entries(entry.ok_at)) {
      const got = await outcome(bytes.slice(0, Number(cut)), entry.file);
      expect(got, `${entry.file} cut to ${cut} bytes`).not.toBeInstanceOf(SiglipError);
      expect(sha256((got as RgbImage).data)).toBe(want);
    }
  });

  it('an LZW TIFF with flipped bits fails cleanly or decodes to the declared size', async () => {
    const bytes = fixtureBytes('decoders', 'images', 'tiff_lzw_big.tif');
    for (let i = 0; i < 60; i++) {
      const damaged = bytes.slice();
      const at = 8 + ((i * 977) % (bytes.length - 8));
      damaged[at] ^= 1 << (i % 8);
      const got = await outcome(damaged, 'damaged');
      if (got instanceof SiglipError) expect(['IMAGE_DECODE', 'INVALID_INPUT']).toContain(got.code);
      else expect(got.data.length).toBe(got.width * got.height * 3);
    }
  });
});
