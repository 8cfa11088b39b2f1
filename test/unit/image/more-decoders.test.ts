/**
 * ICO, TGA, netpbm, QOI and PSD decoders against Pillow: every such photo of the photo zoo
 * (test/fixtures/photo-zoo, make_zoo.py) decodes to exactly the RGB of
 * transformers.image_utils.load_image (sha256 in zoo.json); sniffing and truncation follow Pillow.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SiglipError } from '../../../src/errors';
import { decodeImageBytes } from '../../../src/processors/image/decode-browser';
import { jpegWithoutOrientation, readJpegOrientation } from '../../../src/processors/image/exif-orientation';
import { decodeCmykJpeg, decodeJpegLikePillow, isFourComponentJpeg, JpegUnsupported } from '../../../src/processors/image/jpeg-cmyk-decode';
import { decodeIco, pickIcoEntry } from '../../../src/processors/image/ico-decode';
import { jpegIsComplete, sniffImageFormat } from '../../../src/processors/image/image-format';
import { decodeWithMoreDecoder, hasMoreDecoder, unsupportedFormatMessage } from '../../../src/processors/image/more-decoders';
import { decodeNetpbm } from '../../../src/processors/image/netpbm-decode';
import { decodePsd } from '../../../src/processors/image/psd-decode';
import { decodeQoi } from '../../../src/processors/image/qoi-decode';
import { decodeTga } from '../../../src/processors/image/tga-decode';
import { fixtureBytes, fixtureJson } from './helpers';

interface ZooPhoto {
  file: string;
  note: string;
  derived?: unknown;
  python: { loads: boolean; error?: string; width?: number; height?: number; rgb_sha256?: string };
}

const zoo = fixtureJson<{ photos: ZooPhoto[] }>('photo-zoo', 'zoo.json');
const stored = zoo.photos.filter((p) => !p.derived);
const bytesOf = (p: ZooPhoto): Uint8Array => fixtureBytes('photo-zoo', 'images', p.file);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const ours = stored.filter((p) => hasMoreDecoder(sniffImageFormat(bytesOf(p))));

describe('ICO / TGA / netpbm / QOI / PSD decoders equal Pillow on the photo zoo', () => {
  it('covers every zoo file of these formats', () => {
    expect(ours.map((p) => p.file.split('.').pop()).sort()).toEqual(
      [...stored.filter((p) => /\.(ico|tga|ppm|pgm|pbm|qoi|psd)$/.test(p.file)).map((p) => p.file.split('.').pop())].sort(),
    );
    expect(ours.length).toBeGreaterThanOrEqual(25);
  });

  it.each(ours.map((p) => [p.file, p] as const))('%s', async (_name, p) => {
    const bytes = bytesOf(p);
    const format = sniffImageFormat(bytes);
    if (!hasMoreDecoder(format)) throw new Error('unreachable');
    if (!p.python.loads) {
      await expect(decodeWithMoreDecoder(bytes, format, p.file)).rejects.toBeInstanceOf(SiglipError);
      return;
    }
    const rgb = await decodeWithMoreDecoder(bytes, format, p.file);
    expect([rgb.width, rgb.height]).toEqual([p.python.width, p.python.height]);
    expect(sha(rgb.data)).toBe(p.python.rgb_sha256);
  });
});

describe('sniffing follows Pillow', () => {
  it('tells TGA (00 00 02 00 ...) from ICO and keeps ICO for type 1', () => {
    const tga = fixtureBytes('photo-zoo', 'images', 'tga_rgb.tga');
    expect([...tga.subarray(0, 4)]).toEqual([0, 0, 2, 0]);
    expect(sniffImageFormat(tga)).toBe('tga');
    expect(sniffImageFormat(fixtureBytes('photo-zoo', 'images', 'ico_png_sizes.ico'))).toBe('ico');
    expect(sniffImageFormat(Uint8Array.from([0, 0, 1, 0, 0, 0]))).not.toBe('ico'); // no images
  });

  it('names JPEG 2000, PSD and HEIC with an actionable message', () => {
    expect(sniffImageFormat(fixtureBytes('photo-zoo', 'images', 'jp2_photo.jp2'))).toBe('jpeg2000');
    expect(sniffImageFormat(fixtureBytes('photo-zoo', 'images', 'j2k_codestream.j2k'))).toBe('jpeg2000');
    expect(sniffImageFormat(fixtureBytes('photo-zoo', 'images', 'psd_rgb.psd'))).toBe('psd');
    expect(unsupportedFormatMessage('jpeg2000', 'a.jp2')).toMatch(/JPEG 2000.*convert/);
    expect(unsupportedFormatMessage('heic', 'a.heic')).toMatch(/HEIC.*convert/);
    expect(unsupportedFormatMessage('jpeg', 'a.jpg')).toBeNull();
  });

  it('random bytes and text are not mistaken for TGA or netpbm', () => {
    expect(sniffImageFormat(fixtureBytes('photo-zoo', 'images', 'broken_random.jpg'))).toBe('unknown');
    expect(sniffImageFormat(fixtureBytes('photo-zoo', 'images', 'broken_text.png'))).toBe('unknown');
  });
});

describe('JPEG completeness (Pillow: "image file is truncated")', () => {
  const jpegs = stored.filter((p) => sniffImageFormat(bytesOf(p)) === 'jpeg');
  it.each(jpegs.map((p) => [p.file, p] as const))('%s', (_name, p) => {
    const truncated = /truncated/.test(p.python.error ?? '');
    if (!p.python.loads && !truncated) return; // fails in Pillow for another reason (e.g. a zero height)
    expect(jpegIsComplete(bytesOf(p))).toBe(!truncated);
  });
});

describe('broken input is a typed IMAGE_DECODE error', () => {
  const cut = (file: string, fraction: number): Uint8Array => {
    const b = fixtureBytes('photo-zoo', 'images', file);
    return b.subarray(0, Math.floor(b.length * fraction));
  };
  it.each([
    ['tga_rgb.tga', decodeTga],
    ['tga_rle_rgba.tga', decodeTga],
    ['ppm_p6.ppm', decodeNetpbm],
    ['pgm_p2_maxval15.pgm', decodeNetpbm],
    ['qoi_rgb.qoi', decodeQoi],
    ['psd_rgb.psd', decodePsd],
    ['psd_rgb_raw.psd', decodePsd],
  ] as const)('%s cut in half', (file, decode) => {
    expect(() => decode(cut(file, 0.5), file)).toThrow(SiglipError);
    try {
      decode(cut(file, 0.5), file);
    } catch (err) {
      expect((err as SiglipError).code).toBe('IMAGE_DECODE');
      expect((err as SiglipError).message).toMatch(/truncated/);
    }
  });

  it('an ICO whose image lies past the end of the file', async () => {
    const b = fixtureBytes('photo-zoo', 'images', 'ico_png_sizes.ico');
    const entry = pickIcoEntry(b);
    await expect(decodeIco(b.subarray(0, entry.offset), 'x.ico')).rejects.toMatchObject({ code: 'IMAGE_DECODE' });
    await expect(decodeIco(b.subarray(0, entry.offset + 40), 'x.ico')).rejects.toMatchObject({ code: 'IMAGE_DECODE' });
  });

  it('Pillow picks the largest ICO entry, then the lowest colour depth', () => {
    const entry = (w: number, bpp: number, offset: number): number[] => [w, w, 0, 0, 1, 0, bpp, 0, 0, 0, 0, 0, offset, 0, 0, 0];
    const dir = Uint8Array.from([0, 0, 1, 0, 3, 0, ...entry(16, 32, 1), ...entry(32, 32, 2), ...entry(32, 8, 3)]);
    expect(pickIcoEntry(dir).offset).toBe(3);
    const big = Uint8Array.from([0, 0, 1, 0, 2, 0, ...entry(255, 32, 1), ...entry(0, 32, 2)]); // 0 means 256
    expect(pickIcoEntry(big).offset).toBe(2);
  });
});

describe('every zoo photo that needs no browser decoder loads or fails like Pillow, with its exact RGB', () => {
  const hasVp8 = (b: Uint8Array): boolean => Buffer.from(b).includes('VP8 ');
  const pure = stored.filter((p) => {
    const b = bytesOf(p);
    const f = sniffImageFormat(b);
    return b.length > 0 && !['jpeg', 'avif', 'heic', 'svg', 'unknown', 'jpeg2000'].includes(f) && !(f === 'webp' && hasVp8(b)) && !/jpeg/.test(p.note.toLowerCase());
  });
  it('covers PNG, GIF, BMP, lossless WebP, ICO, netpbm, TGA, QOI, PSD, TIFF and their damaged variants', () => {
    expect(pure.length).toBeGreaterThanOrEqual(50);
  });
  it.each(pure.map((p) => [p.file, p] as const))('%s', async (_name, p) => {
    let rgb;
    try {
      rgb = await decodeImageBytes(bytesOf(p), p.file);
    } catch (err) {
      expect(p.python.loads, `${p.file}: we fail (${(err as Error).message}) but Pillow loads it`).toBe(false);
      expect(err).toBeInstanceOf(SiglipError);
      return;
    }
    expect(p.python.loads, `${p.file}: we decode it but Pillow fails (${p.python.error})`).toBe(true);
    expect([rgb.width, rgb.height]).toEqual([p.python.width, p.python.height]);
    expect(sha(rgb.data)).toBe(p.python.rgb_sha256);
  });
});

describe('EXIF Orientation entries read as Pillow reads them (zoo exif_*.jpg: 48x60, orientation 6 or none)', () => {
  const cases = stored.filter((p) => p.file.startsWith('exif_'));
  it.each(cases.map((p) => [p.file, p] as const))('%s', (_name, p) => {
    const bytes = bytesOf(p);
    const pillowRotates = p.python.width === 60;
    expect(readJpegOrientation(bytes)).toBe(pillowRotates ? 6 : 1);
    // The copy the browser decodes never carries an orientation it could apply on its own.
    const copy = jpegWithoutOrientation(bytes);
    if (copy) {
      expect(copy.orientation).toBe(pillowRotates ? 6 : 1);
      expect(jpegWithoutOrientation(copy.bytes)).toBeNull();
    } else {
      expect(pillowRotates).toBe(false);
    }
  });
});

describe('CMYK / YCCK JPEGs decode to Pillow\'s RGB exactly (before orientation)', () => {
  const fourComponent = stored.filter((p) => p.python.loads && sniffImageFormat(bytesOf(p)) === 'jpeg' && isFourComponentJpeg(bytesOf(p)));
  it('covers baseline, progressive, restart markers, no Adobe marker, YCCK 4:2:0 / 4:2:2 / 4:4:4, odd sizes', () => {
    expect(fourComponent.length).toBeGreaterThanOrEqual(10);
    expect(stored.filter((p) => p.python.loads && sniffImageFormat(bytesOf(p)) === 'jpeg' && !isFourComponentJpeg(bytesOf(p))).length).toBeGreaterThan(20);
  });
  it.each(fourComponent.map((p) => [p.file, p] as const))('%s', (_name, p) => {
    const bytes = bytesOf(p);
    if (/arithmetic/.test(p.note)) {
      // Not handled by our decoder: the browser decodes these (within 1 level).
      expect(() => decodeCmykJpeg(bytes, p.file)).toThrow(JpegUnsupported);
      return;
    }
    const rgb = decodeCmykJpeg(bytes, p.file);
    const rotated = readJpegOrientation(bytes) >= 5;
    expect(rotated ? [rgb.height, rgb.width] : [rgb.width, rgb.height]).toEqual([p.python.width, p.python.height]);
    if (!rotated) expect(sha(rgb.data)).toBe(p.python.rgb_sha256);
  });
});

describe('our JPEG decoder equals Pillow on every zoo JPEG it accepts (it backs up the browser)', () => {
  const jpegs = stored.filter((p) => sniffImageFormat(bytesOf(p)) === 'jpeg' && readJpegOrientation(bytesOf(p)) === 1);
  it.each(jpegs.map((p) => [p.file, p] as const))('%s', (_name, p) => {
    let rgb;
    try {
      rgb = decodeJpegLikePillow(bytesOf(p), p.file, { components: [1, 3, 4], tolerateMarkerInScan: true });
    } catch (err) {
      // Refusing is always allowed (the browser's decoder or its error decides), except for plain JPEGs.
      expect(err instanceof JpegUnsupported || err instanceof SiglipError).toBe(true);
      expect(/arithmetic|truncated|cut|header|magic|no_eoi|zero_padded|sof_zero|stray_marker|app0|\.png$|jpeg_named|mpo/.test(p.file) || !p.python.loads, p.file).toBe(true);
      return;
    }
    expect(p.python.loads, `${p.file}: decoded but Pillow fails (${p.python.error})`).toBe(true);
    expect([rgb.width, rgb.height]).toEqual([p.python.width, p.python.height]);
    expect(sha(rgb.data)).toBe(p.python.rgb_sha256);
  });
});
