/**
 * GIF decoding as Pillow does it for `Image.open(f).convert("RGB")`: only the first frame, on a
 * canvas the size of the logical screen (grown if the frame sticks out) filled with the
 * transparent index (else index 0); every index, the transparent one included, maps to its
 * palette colour. A palette that is just the identity gray ramp makes Pillow open the image as
 * "L" (index = gray level); otherwise indices past the palette come out black.
 */
import { SiglipError } from '../../errors.js';
import { MAX_IMAGE_PIXELS, type RgbImage } from './rgb-image.js';

function gifError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: GIF ${message}`);
}

interface FrameHeader {
  left: number;
  top: number;
  width: number;
  height: number;
  interlaced: boolean;
  palette: Uint8Array | null;
  transparent: number | null;
  minCodeSize: number;
  dataStart: number;
}

/** Pillow's `_is_palette_needed`: false when entry i is (i, i, i) throughout. */
function isGrayRamp(palette: Uint8Array): boolean {
  for (let i = 0; i < palette.length; i += 3) {
    const v = i / 3;
    if (palette[i] !== v || palette[i + 1] !== v || palette[i + 2] !== v) return false;
  }
  return true;
}

function readFirstFrame(b: Uint8Array, start: number, label: string): FrameHeader {
  let p = start;
  let transparent: number | null = null;
  const need = (n: number): void => {
    if (p + n > b.length) throw gifError(label, 'is truncated');
  };
  const skipSubBlocks = (): void => {
    for (;;) {
      need(1);
      const size = b[p++];
      if (size === 0) return;
      need(size);
      p += size;
    }
  };
  while (p < b.length) {
    const introducer = b[p++];
    if (introducer === 0x3b) break; // trailer
    if (introducer === 0x21) {
      need(1);
      const kind = b[p++];
      need(1);
      // Graphic control extension: the transparent index lives in its first sub-block.
      if (kind === 0xf9 && b[p] >= 4) {
        need(5);
        if (b[p + 1] & 1) transparent = b[p + 4];
      }
      skipSubBlocks();
      continue;
    }
    if (introducer !== 0x2c) continue; // Pillow skips stray bytes between blocks
    need(10);
    const flags = b[p + 8];
    const frame: FrameHeader = {
      left: b[p] | (b[p + 1] << 8),
      top: b[p + 2] | (b[p + 3] << 8),
      width: b[p + 4] | (b[p + 5] << 8),
      height: b[p + 6] | (b[p + 7] << 8),
      interlaced: (flags & 0x40) !== 0,
      palette: null,
      transparent,
      minCodeSize: 0,
      dataStart: 0,
    };
    p += 9;
    if (flags & 0x80) {
      const size = 3 << ((flags & 7) + 1);
      need(size);
      frame.palette = b.subarray(p, p + size);
      p += size;
    }
    need(1);
    frame.minCodeSize = b[p++];
    frame.dataStart = p;
    return frame;
  }
  throw gifError(label, 'has no image');
}

/** Interlaced GIFs store rows in four passes; this maps the n-th stored row to its y. */
function interlacedRows(height: number): Int32Array {
  const rows = new Int32Array(height);
  let n = 0;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) {
    for (let y = start; y < height; y += step) rows[n++] = y;
  }
  return rows;
}

/**
 * LZW-decodes frame indices into `indices` (width*height). Returns when the frame is full (an end
 * code or block terminator may follow or not); image data that ends earlier fails, as in Pillow.
 */
function decodeLzw(b: Uint8Array, frame: FrameHeader, indices: Uint8Array, label: string): void {
  const minCode = frame.minCodeSize;
  if (minCode < 1 || minCode > 11) throw gifError(label, `has an invalid LZW code size ${minCode}`);
  const clear = 1 << minCode;
  const end = clear + 1;
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const firstOf = new Uint8Array(4096);
  const stack = new Uint8Array(4097);
  for (let i = 0; i < clear; i++) {
    suffix[i] = i;
    firstOf[i] = i;
  }
  let codeSize = minCode + 1;
  let next = clear + 2;
  let previous = -1;
  let bits = 0;
  let nbits = 0;
  let out = 0;
  const total = indices.length;
  let p = frame.dataStart;
  let blockLeft = 0;
  for (;;) {
    while (nbits < codeSize) {
      if (blockLeft === 0) {
        if (p >= b.length) throw gifError(label, 'is truncated');
        blockLeft = b[p++];
        // Block terminator before the end code: Pillow fails unless the frame is already full.
        if (blockLeft === 0) throw gifError(label, 'is truncated (its image data ends before the frame is complete)');
      }
      if (p >= b.length) throw gifError(label, 'is truncated');
      bits |= b[p++] << nbits;
      nbits += 8;
      blockLeft--;
    }
    const code = bits & ((1 << codeSize) - 1);
    bits >>>= codeSize;
    nbits -= codeSize;
    if (code === clear) {
      codeSize = minCode + 1;
      next = clear + 2;
      previous = -1;
      continue;
    }
    if (code === end) {
      // Pillow fails on an end code that comes before the frame is full ("image file is truncated").
      if (out < total) throw gifError(label, 'is truncated (its image data ends before the frame is complete)');
      return;
    }
    let length = 0;
    let c = code;
    if (previous < 0) {
      if (code >= clear) throw gifError(label, 'is corrupt (invalid LZW code)');
    } else {
      if (code > next || (code === next && next >= 4096)) throw gifError(label, 'is corrupt (invalid LZW code)');
      if (code === next) {
        stack[length++] = firstOf[previous];
        c = previous;
      }
    }
    while (c >= clear) {
      stack[length++] = suffix[c];
      c = prefix[c];
    }
    stack[length++] = c;
    if (previous >= 0 && next < 4096) {
      prefix[next] = previous;
      suffix[next] = c;
      firstOf[next] = firstOf[previous];
      next++;
      if (next === 1 << codeSize && codeSize < 12) codeSize++;
    }
    previous = code;
    while (length > 0 && out < total) indices[out++] = stack[--length];
    if (out >= total) return;
  }
}

export function isGif(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 6)).match(/^GIF8[79]a$/) !== null;
}

export function decodeGif(bytes: Uint8Array, label = 'image'): RgbImage {
  if (!isGif(bytes)) throw gifError(label, 'signature is missing');
  if (bytes.length < 13) throw gifError(label, 'is truncated');
  const screenFlags = bytes[10];
  let p = 13;
  let globalPalette: Uint8Array | null = null;
  if (screenFlags & 0x80) {
    const size = 3 << ((screenFlags & 7) + 1);
    if (p + size > bytes.length) throw gifError(label, 'is truncated');
    globalPalette = bytes.subarray(p, p + size);
    p += size;
  }
  const frame = readFirstFrame(bytes, p, label);
  const width = Math.max(bytes[6] | (bytes[7] << 8), frame.left + frame.width);
  const height = Math.max(bytes[8] | (bytes[9] << 8), frame.top + frame.height);
  if (width === 0 || height === 0) throw new SiglipError('INVALID_INPUT', `${label}: GIF has zero size (${width}x${height})`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new SiglipError('INVALID_INPUT', `${label}: GIF is ${width}x${height}, above the ${MAX_IMAGE_PIXELS}-pixel limit`);
  }

  const frameIndices = new Uint8Array(frame.width * frame.height).fill(frame.transparent ?? 0);
  decodeLzw(bytes, frame, frameIndices, label);

  const canvas = new Uint8Array(width * height).fill(frame.transparent ?? 0);
  const rowOf = frame.interlaced ? interlacedRows(frame.height) : null;
  for (let r = 0; r < frame.height; r++) {
    const y = frame.top + (rowOf ? rowOf[r] : r);
    canvas.set(frameIndices.subarray(r * frame.width, (r + 1) * frame.width), y * width + frame.left);
  }

  // A local palette wins; one that is only the gray ramp means "no palette" (mode L) for Pillow.
  let palette: Uint8Array | null = frame.palette ?? globalPalette;
  if (palette && isGrayRamp(palette)) palette = null;
  const lut = new Uint8Array(768);
  if (palette) lut.set(palette.subarray(0, 768));
  else for (let i = 0; i < 256; i++) lut[3 * i] = lut[3 * i + 1] = lut[3 * i + 2] = i;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < canvas.length; i++) {
    const v = canvas[i] * 3;
    data[3 * i] = lut[v];
    data[3 * i + 1] = lut[v + 1];
    data[3 * i + 2] = lut[v + 2];
  }
  return { data, width, height };
}
