import { describe, expect, it } from 'vitest';
import { readDeclaredSize, sniffImageFormat } from '../../../src/processors/image/image-format';
import { fixtureBytes, fixtureJson } from './helpers';

describe('sniffImageFormat / readDeclaredSize', () => {
  const images = fixtureJson<{ file: string; format: string; size_stored: [number, number] }[]>('reference', 'images', 'images.json');

  it('identifies every reference image and reads JPEG sizes from the SOF header', () => {
    for (const img of images) {
      const bytes = fixtureBytes('reference', 'images', img.file);
      const format = sniffImageFormat(bytes);
      expect(format, img.file).toBe(img.format === 'JPEG' ? 'jpeg' : 'png');
      if (format === 'jpeg') {
        const size = readDeclaredSize(bytes, format);
        expect([size?.width, size?.height], img.file).toEqual(img.size_stored);
      }
    }
  });

  it('recognises other signatures and SVG text', () => {
    const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(sniffImageFormat(enc('GIF89a\x0a\x00\x05\x00'))).toBe('gif');
    expect(readDeclaredSize(enc('GIF89a\x0a\x00\x05\x00'), 'gif')).toEqual({ width: 10, height: 5 });
    expect(sniffImageFormat(enc('RIFF\0\0\0\0WEBPVP8L'))).toBe('webp');
    expect(sniffImageFormat(enc('\0\0\0\x1cftypavif'))).toBe('avif');
    expect(sniffImageFormat(enc('BM\0\0'))).toBe('bmp');
    expect(sniffImageFormat(enc('\uFEFF  <svg xmlns="http://www.w3.org/2000/svg"/>'.replace('\uFEFF', '\xEF\xBB\xBF')))).toBe('svg');
    expect(sniffImageFormat(enc('<?xml version="1.0"?><!-- x --><svg/>'))).toBe('svg');
    expect(sniffImageFormat(enc('<?xml version="1.0"?><note/>'))).toBe('unknown');
    expect(sniffImageFormat(new Uint8Array(0))).toBe('unknown');
  });
});
