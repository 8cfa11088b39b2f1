/**
 * Netpbm (PBM/PGM/PPM) decoding as Pillow's PpmImagePlugin does it: magic P1..P6, header tokens
 * separated by whitespace with `#` comments, the data right after the single whitespace that ends
 * the last header token. Samples are read raw at maxval 255, else rescaled as Pillow does:
 * round(v / maxval * 255) with Python's round-half-even (16-bit gray: Pillow's mode I, scaled to
 * 65535 and clipped to 255 by convert("RGB")); 2 bytes per sample past maxval 255; P1/P4: 1 is black.
 */
import { SiglipError } from '../../errors.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/** Pillow's PPM check: "P" then one of 0123456fy. We decode P1..P6. */
export function isNetpbm(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0x50 && b[1] >= 0x31 && b[1] <= 0x36 && WHITESPACE.has(b[2]);
}

function pbmError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: PNM (netpbm) ${message}`);
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function decodeNetpbm(b: Uint8Array, label = 'image'): RgbImage {
  if (!isNetpbm(b)) throw pbmError(label, 'signature is missing');
  const kind = b[1] - 0x30;
  let p = 3;
  const token = (): number => {
    let text = '';
    while (text.length <= 10) {
      if (p >= b.length) break;
      const c = b[p++];
      if (WHITESPACE.has(c)) {
        if (!text) continue;
        break;
      }
      if (c === 0x23) {
        while (p < b.length && b[p] !== 0x0a && b[p] !== 0x0d) p++;
        p++;
        continue;
      }
      text += String.fromCharCode(c);
    }
    if (!text) throw pbmError(label, 'header ends early (reached EOF while reading header)');
    if (!/^\d+$/.test(text)) throw pbmError(label, `header has an invalid number '${text.slice(0, 12)}'`);
    return Number(text);
  };
  const width = token();
  const height = token();
  checkImageSize(width, height, label);
  const bitmap = kind === 1 || kind === 4;
  const maxval = bitmap ? 1 : token();
  if (!(maxval > 0 && maxval < 65536)) throw pbmError(label, `maxval ${maxval} is out of range (1..65535)`);
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const count = width * height;
  const out = new Uint8Array(count * 3);
  const put = (i: number, c: number, v: number): void => {
    if (channels === 3) out[i * 3 + c] = v;
    else out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = v;
  };
  // Pillow's mode: gray with maxval > 255 is "I" (scaled to 0..65535; convert("RGB") clips to 255).
  const modeI = channels === 1 && maxval > 255;
  const outMax = modeI ? 65535 : 255;
  const scale = (v: number): number => {
    const x = Math.min(outMax, roundHalfEven((v / maxval) * outMax));
    return x > 255 ? 255 : x;
  };
  if (kind === 4) {
    const stride = Math.ceil(width / 8);
    if (p + stride * height > b.length) throw pbmError(label, 'is truncated (image file is truncated)');
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) put(y * width + x, 0, (b[p + y * stride + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 255);
    }
    return { data: out, width, height };
  }
  if (kind >= 5) {
    const sampleBytes = maxval < 256 ? 1 : 2;
    const n = count * channels;
    if (p + n * sampleBytes > b.length) throw pbmError(label, 'is truncated (image file is truncated)');
    for (let i = 0; i < n; i++) {
      const v = sampleBytes === 1 ? b[p + i] : (b[p + 2 * i] << 8) | b[p + 2 * i + 1];
      // maxval 255 is read raw; 16-bit gray at 65535 too (raw "I;16B"); other maxvals are rescaled.
      const level = maxval === 255 || (modeI && maxval === 65535) ? Math.min(v, 255) : scale(v);
      put(Math.floor(i / channels), i % channels, level);
    }
    return { data: out, width, height };
  }
  // Plain (ASCII) formats.
  const n = count * channels;
  let i = 0;
  if (kind === 1) {
    // One character per pixel, whitespace optional; '1' is black.
    while (i < n && p < b.length) {
      const c = b[p++];
      if (c === 0x23) {
        while (p < b.length && b[p] !== 0x0a && b[p] !== 0x0d) p++;
        continue;
      }
      if (WHITESPACE.has(c)) continue;
      if (c !== 0x30 && c !== 0x31) throw pbmError(label, `has an invalid token '${String.fromCharCode(c)}'`);
      put(i++, 0, c === 0x31 ? 0 : 255);
    }
  } else {
    while (i < n && p < b.length) {
      const c = b[p];
      if (c === 0x23) {
        while (p < b.length && b[p] !== 0x0a && b[p] !== 0x0d) p++;
        continue;
      }
      if (WHITESPACE.has(c)) {
        p++;
        continue;
      }
      let text = '';
      while (p < b.length && !WHITESPACE.has(b[p]) && b[p] !== 0x23) text += String.fromCharCode(b[p++]);
      if (!/^\d+$/.test(text) || text.length > 10) throw pbmError(label, `has an invalid value '${text.slice(0, 12)}'`);
      const v = Number(text);
      if (v > maxval) throw pbmError(label, `value ${v} is above maxval ${maxval}`);
      put(Math.floor(i / channels), i % channels, scale(v));
      i++;
    }
  }
  if (i < n) throw pbmError(label, 'is truncated (image file is truncated)');
  return { data: out, width, height };
}
