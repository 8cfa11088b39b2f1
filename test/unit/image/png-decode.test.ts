import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SiglipError } from '../../../src/errors';
import { decodeImageBytes } from '../../../src/processors/image/decode-browser';
import { decodePng, readPngHeader } from '../../../src/processors/image/png-decode';
import { chunk, concat, encodePng, exifWithOrientation, fixtureBytes, ihdr, PNG_SIGNATURE, scanlines, type SyntheticPng } from './helpers';

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SiglipError) return `${e.code}: ${e.message}`;
    return `not a SiglipError: ${String(e)}`;
  }
  return 'resolved';
}

/** Deterministic sample in [0, 2^bits). */
function sample(x: number, y: number, c: number, bits: number): number {
  return ((x * 7 + y * 13 + c * 29 + x * y * 3) * 2654435761) % 2 ** bits >>> 0;
}

const PALETTE = Uint8Array.from({ length: 16 * 3 }, (_, i) => (i * 37 + 11) & 0xff);

/** What PIL's convert("RGB") gives for the samples of one pixel (the rules under test). */
function pilRgb(png: SyntheticPng, s: number[]): number[] {
  const { colorType: ct, bitDepth: bd } = png;
  if (ct === 3) return [PALETTE[3 * s[0]], PALETTE[3 * s[0] + 1], PALETTE[3 * s[0] + 2]];
  const eight = (v: number): number => (bd === 16 ? v >> 8 : bd < 8 ? (v * 255) / (2 ** bd - 1) : v);
  if (ct === 0) {
    const g = bd === 16 ? Math.min(s[0], 255) : eight(s[0]); // mode I;16 clips, it does not shift
    return [g, g, g];
  }
  if (ct === 4) return [eight(s[0]), eight(s[0]), eight(s[0])];
  return [eight(s[0]), eight(s[1]), eight(s[2])];
}

const CASES: [number, number][] = [
  [0, 1], [0, 2], [0, 4], [0, 8], [0, 16],
  [2, 8], [2, 16],
  [3, 1], [3, 2], [3, 4], [3, 8],
  [4, 8], [4, 16],
  [6, 8], [6, 16],
];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

describe('decodePng: colour types, bit depths, filters, interlace', () => {
  for (const [ct, bd] of CASES) {
    for (const interlace of [false, true]) {
      for (const [w, h] of [[13, 9], [1, 1], [3, 2]] as const) {
        it(`type ${ct} depth ${bd} ${w}x${h}${interlace ? ' Adam7' : ''}`, async () => {
          const bits = ct === 3 ? Math.min(bd, 4) : bd; // keep indices inside the 16-entry palette
          // 16-bit gray uses small values too, to exercise both sides of the 255 clip.
          const small = ct === 0 && bd === 16;
          const png: SyntheticPng = {
            width: w,
            height: h,
            bitDepth: bd,
            colorType: ct,
            interlace,
            filters: [0, 1, 2, 3, 4],
            palette: ct === 3 ? PALETTE : undefined,
            samples: (x, y) => Array.from({ length: CHANNELS[ct] }, (_, c) => (small && (x + y) % 2 ? sample(x, y, c, 9) : sample(x, y, c, bits))),
          };
          const out = await decodePng(encodePng(png));
          expect([out.width, out.height]).toEqual([w, h]);
          const expected: number[] = [];
          for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expected.push(...pilRgb(png, png.samples(x, y)));
          expect(Array.from(out.data)).toEqual(expected);
        });
      }
    }
  }

  it('keeps the stored RGB of fully transparent pixels (no compositing)', async () => {
    const png: SyntheticPng = { width: 2, height: 1, bitDepth: 8, colorType: 6, samples: (x) => (x === 0 ? [255, 0, 255, 0] : [1, 2, 3, 128]) };
    expect(Array.from((await decodePng(encodePng(png))).data)).toEqual([255, 0, 255, 1, 2, 3]);
  });

  it('ignores tRNS, gAMA, iCCP-like ancillary chunks and splits across several IDAT chunks', async () => {
    const png: SyntheticPng = { width: 5, height: 4, bitDepth: 8, colorType: 3, palette: PALETTE, samples: (x, y) => [(x + y) % 16] };
    const raw = new Uint8Array(deflateSync(scanlines(png)));
    const third = Math.ceil(raw.length / 3);
    const file = concat([
      PNG_SIGNATURE,
      ihdr(5, 4, 8, 3),
      chunk('gAMA', new Uint8Array([0, 0, 0x40, 0])),
      chunk('PLTE', PALETTE),
      chunk('tRNS', new Uint8Array(16)),
      chunk('IDAT', raw.subarray(0, third)),
      chunk('IDAT', raw.subarray(third, 2 * third)),
      chunk('IDAT', raw.subarray(2 * third)),
      chunk('IEND', new Uint8Array(0)),
    ]);
    const out = await decodePng(file);
    const expected: number[] = [];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) expected.push(...pilRgb(png, [(x + y) % 16]));
    expect(Array.from(out.data)).toEqual(expected);
  });

  it('palette indices beyond PLTE read Pillow’s gray ramp', async () => {
    const png: SyntheticPng = { width: 2, height: 1, bitDepth: 8, colorType: 3, palette: PALETTE, samples: (x) => [x === 0 ? 1 : 200] };
    expect(Array.from((await decodePng(encodePng(png))).data)).toEqual([PALETTE[3], PALETTE[4], PALETTE[5], 200, 200, 200]);
  });
});

describe('decodePng: EXIF orientation', () => {
  const base: SyntheticPng = { width: 3, height: 2, bitDepth: 8, colorType: 2, samples: (x, y) => [x, y, 0] };

  it('applies an eXIf orientation like exif_transpose (6 = 90° clockwise)', async () => {
    const out = await decodePng(encodePng({ ...base, extraChunks: [chunk('eXIf', exifWithOrientation(6))] }));
    expect(out.orientation).toBe(6);
    expect([out.width, out.height]).toEqual([2, 3]);
    // Output (0,0) is source (0, H-1); output (1,0) is source (0,0).
    expect(Array.from(out.data.subarray(0, 6))).toEqual([0, 1, 0, 0, 0, 0]);
  });

  it('can leave the stored orientation alone', async () => {
    const out = await decodePng(encodePng({ ...base, extraChunks: [chunk('eXIf', exifWithOrientation(3, true))] }), { applyOrientation: false });
    expect(out.orientation).toBe(3);
    expect([out.width, out.height]).toEqual([3, 2]);
  });

  it('reads "Raw profile type exif" text and XMP iTXt like Pillow getexif', async () => {
    const hex = Array.from(exifWithOrientation(2, false, true), (b) => b.toString(16).padStart(2, '0')).join('');
    const text = new TextEncoder().encode(`Raw profile type exif\u0000\nexif\n      ${hex.length / 2}\n${hex}\n`);
    const a = await decodePng(encodePng({ ...base, extraChunks: [chunk('tEXt', text)] }));
    expect(a.orientation).toBe(2);
    expect(Array.from(a.data.subarray(0, 3))).toEqual([2, 0, 0]);

    const itxt = new TextEncoder().encode('XML:com.adobe.xmp\u0000\u0000\u0000\u0000\u0000<x tiff:Orientation="4"/>');
    const b = await decodePng(encodePng({ ...base, extraChunks: [chunk('iTXt', itxt)] }));
    expect(b.orientation).toBe(4);
    expect(Array.from(b.data.subarray(0, 3))).toEqual([0, 1, 0]);
  });

  it('reference PNGs carry no orientation', async () => {
    const out = await decodePng(fixtureBytes('reference', 'images', 'tiny_7x5.png'));
    expect(out.orientation).toBe(1);
  });
});

describe('decodePng / decodeImageBytes: errors', () => {
  const good = encodePng({ width: 16, height: 16, bitDepth: 8, colorType: 2, samples: (x, y) => [x * 16, y * 16, (x * y) & 255], filters: [4] });

  it('truncated file', async () => {
    const cat = fixtureBytes('reference', 'images', 'chelsea_cat.png');
    expect(await errorCode(decodePng(cat.subarray(0, cat.length >> 1), { label: 'cat.png' }))).toMatch(/^IMAGE_DECODE: cat\.png: .*truncated/);
    expect(await errorCode(decodePng(good.subarray(0, 20)))).toMatch(/^IMAGE_DECODE: .*truncated/);
    expect(await errorCode(decodePng(good.subarray(0, 40)))).toMatch(/^IMAGE_DECODE/);
  });

  it('CRC mismatch', async () => {
    const bad = good.slice();
    bad[8 + 8 + 5] ^= 0xff; // inside IHDR data
    expect(await errorCode(decodePng(bad))).toMatch(/^IMAGE_DECODE: .*CRC mismatch in "IHDR"/);
  });

  it('corrupt compressed data and invalid filter bytes', async () => {
    const rows = scanlines({ width: 4, height: 2, bitDepth: 8, colorType: 0, samples: () => [1] });
    const garbage = Uint8Array.from({ length: 40 }, (_, i) => (i * 89 + 7) & 0xff);
    const badZlib = concat([PNG_SIGNATURE, ihdr(4, 2, 8, 0), chunk('IDAT', garbage), chunk('IEND', new Uint8Array(0))]);
    expect(await errorCode(decodePng(badZlib))).toMatch(/^IMAGE_DECODE: .*corrupt or truncated/);
    rows[5] = 9; // second row's filter byte
    const badFilter = concat([PNG_SIGNATURE, ihdr(4, 2, 8, 0), chunk('IDAT', new Uint8Array(deflateSync(rows))), chunk('IEND', new Uint8Array(0))]);
    expect(await errorCode(decodePng(badFilter))).toMatch(/^IMAGE_DECODE: .*invalid filter type 9/);
  });

  it('structural problems', async () => {
    const noIdat = concat([PNG_SIGNATURE, ihdr(4, 2, 8, 0), chunk('IEND', new Uint8Array(0))]);
    expect(await errorCode(decodePng(noIdat))).toMatch(/^IMAGE_DECODE: .*no image data/);
    const noPlte = concat([PNG_SIGNATURE, ihdr(4, 2, 8, 3), chunk('IDAT', new Uint8Array(deflateSync(new Uint8Array(10)))), chunk('IEND', new Uint8Array(0))]);
    expect(await errorCode(decodePng(noPlte))).toMatch(/^IMAGE_DECODE: .*PLTE/);
    const badDepth = concat([PNG_SIGNATURE, ihdr(4, 2, 3, 2), chunk('IEND', new Uint8Array(0))]);
    expect(await errorCode(decodePng(badDepth))).toMatch(/^IMAGE_DECODE: .*bit depth 3/);
    expect(await errorCode(decodePng(new Uint8Array([1, 2, 3])))).toMatch(/^IMAGE_DECODE: .*not a PNG/);
  });

  it('zero size and decompression bombs are INVALID_INPUT, refused before inflating', async () => {
    const zero = concat([PNG_SIGNATURE, ihdr(0, 5, 8, 2), chunk('IEND', new Uint8Array(0))]);
    expect(await errorCode(decodePng(zero))).toMatch(/^INVALID_INPUT: .*zero size/);
    const huge = concat([PNG_SIGNATURE, ihdr(20000, 20000, 8, 2), chunk('IDAT', new Uint8Array(deflateSync(new Uint8Array(100)))), chunk('IEND', new Uint8Array(0))]);
    const small = concat([PNG_SIGNATURE, ihdr(300, 200, 8, 2), chunk('IEND', new Uint8Array(0))]);
    expect(readPngHeader(small)).toEqual({ width: 300, height: 200, bitDepth: 8, colorType: 2, interlaced: false });
    expect(await errorCode(decodePng(huge))).toMatch(/^INVALID_INPUT: .*20000x20000.*limit/);
  });

  it('decodeImageBytes: empty, garbage, SVG, and accepted input types', async () => {
    expect(await errorCode(decodeImageBytes(new Uint8Array(0), 'upload'))).toMatch(/^INVALID_INPUT: upload is empty/);
    // Node has no createImageBitmap, so non-PNG data cannot be decoded here.
    expect(await errorCode(decodeImageBytes(new TextEncoder().encode('definitely not an image')))).toMatch(/^IMAGE_DECODE/);
    const svg = new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect(await errorCode(decodeImageBytes(svg))).toMatch(/^IMAGE_DECODE: .*SVG/);
    expect(await errorCode(decodeImageBytes(new Blob(['<svg/>'], { type: 'image/svg+xml' })))).toMatch(/^IMAGE_DECODE: .*SVG/);

    const fromBytes = await decodeImageBytes(good);
    const fromBlob = await decodeImageBytes(new Blob([good], { type: 'image/png' }));
    const fromArrayBuffer = await decodeImageBytes(good.slice().buffer);
    const offset = new Uint8Array(good.length + 5);
    offset.set(good, 5);
    const fromView = await decodeImageBytes(new DataView(offset.buffer, 5, good.length));
    expect(fromBlob).toEqual(fromBytes);
    expect(fromArrayBuffer).toEqual(fromBytes);
    expect(fromView).toEqual(fromBytes);
    expect(fromBytes.width).toBe(16);
  });
});
