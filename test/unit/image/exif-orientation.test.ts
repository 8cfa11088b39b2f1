import { describe, expect, it } from 'vitest';
import {
  applyExifOrientation,
  readJpegOrientation,
  readJpegOrientationSources,
  readTiffOrientation,
  readXmpOrientation,
} from '../../../src/processors/image/exif-orientation';
import type { RgbImage } from '../../../src/processors/image/rgb-image';
import { concat, exifWithOrientation, fixtureBytes, fixtureJson } from './helpers';

/** 3x2 image whose pixel (x, y) has red = letter code, so layouts can be written as strings. */
function letters(rows: string[]): RgbImage {
  const height = rows.length;
  const width = rows[0].length;
  const data = new Uint8Array(width * height * 3);
  rows.join('').split('').forEach((ch, i) => {
    data[3 * i] = ch.charCodeAt(0);
    data[3 * i + 1] = i;
    data[3 * i + 2] = 255 - i;
  });
  return { data, width, height };
}

function layout(image: RgbImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let s = '';
    for (let x = 0; x < image.width; x++) s += String.fromCharCode(image.data[3 * (y * image.width + x)]);
    rows.push(s);
  }
  return rows;
}

describe('applyExifOrientation (Pillow transposes)', () => {
  const src = letters(['abc', 'def']);
  // What exif_transpose displays for each tag value, worked out from the EXIF spec's row/column meaning.
  const expected: Record<number, string[]> = {
    1: ['abc', 'def'],
    2: ['cba', 'fed'], // FLIP_LEFT_RIGHT
    3: ['fed', 'cba'], // ROTATE_180
    4: ['def', 'abc'], // FLIP_TOP_BOTTOM
    5: ['ad', 'be', 'cf'], // TRANSPOSE
    6: ['da', 'eb', 'fc'], // ROTATE_270 = 90° clockwise
    7: ['fc', 'eb', 'da'], // TRANSVERSE
    8: ['cf', 'be', 'ad'], // ROTATE_90 = 90° counter-clockwise
  };
  for (const [o, rows] of Object.entries(expected)) {
    it(`orientation ${o}`, () => {
      const out = applyExifOrientation(src, Number(o));
      expect(layout(out)).toEqual(rows);
      expect([out.width, out.height]).toEqual([rows[0].length, rows.length]);
    });
  }

  it('moves whole pixels (all three channels)', () => {
    const out = applyExifOrientation(src, 6);
    // Output (0,0) comes from source (0,1) = pixel index 3.
    expect(Array.from(out.data.subarray(0, 3))).toEqual(['d'.charCodeAt(0), 3, 252]);
  });

  it('values outside 2..8 leave the image untouched', () => {
    for (const o of [0, 1, 9, -6, 6.5]) expect(applyExifOrientation(src, o)).toBe(src);
  });

  it('6 undone by 8, and 5/7 are involutions', () => {
    const big = letters(['abcd', 'efgh', 'ijkl']);
    expect(layout(applyExifOrientation(applyExifOrientation(big, 6), 8))).toEqual(layout(big));
    expect(layout(applyExifOrientation(applyExifOrientation(big, 5), 5))).toEqual(layout(big));
    expect(layout(applyExifOrientation(applyExifOrientation(big, 7), 7))).toEqual(layout(big));
  });
});

describe('orientation parsing', () => {
  it('reads orientation 6 from the reference JPEG (shape_green_triangle_exif6.jpg)', () => {
    const info = fixtureJson<{ file: string; exif_orientation: number | null }[]>('reference', 'images', 'images.json');
    for (const entry of info.filter((e) => e.file.endsWith('.jpg'))) {
      expect(readJpegOrientation(fixtureBytes('reference', 'images', entry.file)), entry.file).toBe(entry.exif_orientation ?? 1);
    }
    expect(readJpegOrientation(fixtureBytes('reference', 'images', 'shape_green_triangle_exif6.jpg'))).toBe(6);
  });

  it('reads TIFF orientation in both byte orders, with or without the Exif prefix', () => {
    expect(readTiffOrientation(exifWithOrientation(3))).toBe(3);
    expect(readTiffOrientation(exifWithOrientation(8, true))).toBe(8);
    expect(readTiffOrientation(exifWithOrientation(5, false, true))).toBe(5);
    expect(readTiffOrientation(new Uint8Array([0x49, 0x49, 42, 0, 200, 0, 0, 0]))).toBeNull();
    expect(readTiffOrientation(new Uint8Array(3))).toBeNull();
  });

  it('falls back to XMP tiff:Orientation only when EXIF has none', () => {
    expect(readXmpOrientation('<rdf:Description tiff:Orientation="7"/>')).toBe(7);
    expect(readXmpOrientation('<tiff:Orientation>2</tiff:Orientation>')).toBe(2);
    expect(readXmpOrientation('<x/>')).toBeNull();

    const app1 = (payload: Uint8Array): Uint8Array => concat([new Uint8Array([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
    const xmp = app1(new TextEncoder().encode('http://ns.adobe.com/xap/1.0/\u0000<x tiff:Orientation="8"/>'));
    const exif = app1(exifWithOrientation(3, false, true));
    const soi = new Uint8Array([0xff, 0xd8]);
    const sos = new Uint8Array([0xff, 0xda, 0, 2]);
    expect(readJpegOrientation(concat([soi, xmp, sos]))).toBe(8);
    expect(readJpegOrientation(concat([soi, xmp, exif, sos]))).toBe(3);
    expect(readJpegOrientationSources(concat([soi, xmp, exif, sos]))).toEqual({ exif: 3, xmp: 8 });
    expect(readJpegOrientation(concat([soi, sos]))).toBe(1);
    expect(readJpegOrientation(new Uint8Array([1, 2, 3, 4]))).toBe(1);
  });
});

describe('jpegWithoutOrientation', () => {
  it('rewrites a SHORT orientation to 1 in a copy (both byte orders) and reports the original', async () => {
    const { jpegWithoutOrientation: strip, readJpegOrientation: read } = await import('../../../src/processors/image/exif-orientation');
    for (const little of [false, true]) {
      for (let o = 1; o <= 8; o++) {
        const tiff = little
          ? [0x49, 0x49, 0x2a, 0x00, 0x08, 0, 0, 0, 0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0, 0, 0, o, 0, 0, 0, 0, 0, 0, 0]
          : [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 0x08, 0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0, 0, 0, 0x01, 0, o, 0, 0, 0, 0, 0, 0];
        const seg = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
        const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x04, 0x41, 0x42, 0xff, 0xe1, (seg.length + 2) >> 8, (seg.length + 2) & 0xff, ...seg, 0xff, 0xda, 0, 2]);
        const out = strip(jpeg);
        expect(read(jpeg)).toBe(o);
        if (o === 1) {
          expect(out).toBeNull();
          continue;
        }
        expect(out?.orientation).toBe(o);
        expect(read(out!.bytes)).toBe(1);
        expect(read(jpeg)).toBe(o); // the input is untouched
        expect(out!.bytes.length).toBe(jpeg.length);
        expect(Array.from(out!.bytes).filter((b, i) => b !== jpeg[i]).length).toBe(1);
      }
    }
  });
});
