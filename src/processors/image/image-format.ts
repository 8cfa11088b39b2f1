/**
 * Magic-byte sniffing plus cheap header reads of the pixel size, so oversized images are refused
 * before a browser decoder allocates them.
 */
import { isStandaloneJpegMarker, jpegFrameAt } from './jpeg-markers.js';
import { isNetpbm } from './netpbm-decode.js';
import { looksLikeTga } from './tga-decode.js';
import { readTiffSize } from './tiff-decode.js';

export type ImageFormat =
  | 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif' | 'heic' | 'ico' | 'tiff' | 'svg'
  | 'pnm' | 'qoi' | 'tga' | 'jpeg2000' | 'psd' | 'unknown';

function at(bytes: Uint8Array, offset: number, text: string): boolean {
  if (offset + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  let head = '';
  const n = Math.min(bytes.length, 1024);
  for (let i = 0; i < n; i++) head += String.fromCharCode(bytes[i]);
  head = head.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').trimStart().toLowerCase();
  if (head.startsWith('<svg')) return true;
  return (head.startsWith('<?xml') || head.startsWith('<!--') || head.startsWith('<!doctype')) && head.includes('<svg');
}

export function sniffImageFormat(bytes: Uint8Array): ImageFormat {
  if (at(bytes, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (at(bytes, 0, 'GIF87a') || at(bytes, 0, 'GIF89a')) return 'gif';
  if (at(bytes, 0, 'RIFF') && at(bytes, 8, 'WEBP')) return 'webp';
  if (at(bytes, 0, 'BM')) return 'bmp';
  if (at(bytes, 4, 'ftyp')) {
    if (at(bytes, 8, 'avif') || at(bytes, 8, 'avis')) return 'avif';
    if (at(bytes, 8, 'heic') || at(bytes, 8, 'heix') || at(bytes, 8, 'mif1') || at(bytes, 8, 'msf1')) return 'heic';
  }
  // ICO: reserved 0, type 1, at least one image (CUR, type 2, is left to the TGA check like Pillow's
  // order: a TGA header often starts 00 00 02 00).
  if (at(bytes, 0, '\x00\x00\x01\x00') && bytes.length >= 6 && (bytes[4] | bytes[5]) !== 0) return 'ico';
  if (at(bytes, 0, 'II*\x00') || at(bytes, 0, 'MM\x00*')) return 'tiff';
  if (at(bytes, 0, 'qoif')) return 'qoi';
  if (at(bytes, 0, '8BPS')) return 'psd';
  if (at(bytes, 0, '\x00\x00\x00\x0cjP  \r\n\x87\n') || at(bytes, 0, '\xff\x4f\xff\x51')) return 'jpeg2000';
  if (isNetpbm(bytes)) return 'pnm';
  if (looksLikeSvg(bytes)) return 'svg';
  // TGA has no signature; Pillow tries it on whatever no other format claimed.
  if (looksLikeTga(bytes)) return 'tga';
  return 'unknown';
}

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  const p = jpegFrameAt(b);
  if (p < 0 || p + 9 > b.length) return null;
  return { height: ((b[p + 5] as number) << 8) | (b[p + 6] as number), width: ((b[p + 7] as number) << 8) | (b[p + 8] as number) };
}

/**
 * Offset of the first SOS marker (start of entropy-coded data), or -1 when the headers end first.
 * Like libjpeg's next_marker, bytes that are not a marker (junk, a segment length that was wrong)
 * are skipped until the next FF xx.
 */
function jpegFirstScan(b: Uint8Array): number {
  let p = 2;
  while (p + 1 < b.length) {
    if (b[p] !== 0xff) {
      p++;
      continue;
    }
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    if (marker === 0x00) {
      p += 2; // not a marker
      continue;
    }
    if (marker === 0xda) return p;
    if (marker === 0xd9) return -1;
    if (isStandaloneJpegMarker(marker)) {
      p += 2;
      continue;
    }
    if (p + 4 > b.length) return -1;
    p += 2 + Math.max(2, (b[p + 2] << 8) | b[p + 3]);
  }
  return -1;
}

/**
 * Whether libjpeg, as Pillow drives it, can finish this JPEG: it reads through the scans to the
 * EOI marker, and Pillow raises "image file is truncated" when the file ends before that (a
 * browser may instead show what it has). False when no EOI (FF D9) follows the first scan.
 */
export function jpegIsComplete(b: Uint8Array): boolean {
  const sos = jpegFirstScan(b);
  if (sos < 0) return false;
  for (let i = b.length - 2; i > sos; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  return false;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  if (at(b, 12, 'VP8X') && b.length >= 30) {
    return { width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
  }
  if (at(b, 12, 'VP8 ') && b.length >= 30) {
    return { width: (b[26] | (b[27] << 8)) & 0x3fff, height: (b[28] | (b[29] << 8)) & 0x3fff };
  }
  if (at(b, 12, 'VP8L') && b.length >= 25) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  return null;
}

/** Declared pixel size from the file header when it is cheap to find, else null. */
export function readDeclaredSize(bytes: Uint8Array, format: ImageFormat): { width: number; height: number } | null {
  switch (format) {
    case 'jpeg':
      return jpegSize(bytes);
    case 'gif':
      return bytes.length >= 10 ? { width: bytes[6] | (bytes[7] << 8), height: bytes[8] | (bytes[9] << 8) } : null;
    case 'webp':
      return webpSize(bytes);
    case 'bmp':
      if (bytes.length < 26) return null;
      {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        // OS/2 BITMAPCOREHEADER (12 bytes) stores 16-bit sizes; the others 32-bit, height signed.
        if (view.getUint32(14, true) === 12) return { width: view.getUint16(18, true), height: view.getUint16(20, true) };
        return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
      }
    case 'tiff':
      return readTiffSize(bytes);
    default:
      return null;
  }
}
