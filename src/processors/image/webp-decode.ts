/**
 * WebP as Pillow sees it (libwebp's WebPAnimDecoder, first frame, MODE_RGBA, then exif_transpose
 * and convert("RGB")). Lossless (VP8L) bitstreams go through our own decoder, so the RGB stored
 * under transparent pixels survives as in Python. Lossy (VP8) bitstreams are handed to the
 * browser as a bare "RIFF/WEBP/VP8 " file: without the ALPH and ICCP chunks the browser neither
 * premultiplies nor colour-manages, and its libwebp yields the same YUV->RGB as Pillow's.
 */
import { SiglipError } from '../../errors.js';
import { applyExifOrientation, readTiffOrientation, readXmpOrientation } from './exif-orientation.js';
import { MAX_IMAGE_PIXELS, type RgbImage } from './rgb-image.js';
import { decodeVp8l } from './vp8l-decode.js';

/** Decodes a simple lossy WebP file (no alpha, no ICC profile) to RGB; the browser's decoder in practice. */
export type LossyWebpDecoder = (simpleWebp: Uint8Array) => Promise<RgbImage>;

function webpError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: WebP ${message}`);
}

interface Chunk {
  fourcc: string;
  data: Uint8Array;
}

function fourccAt(b: Uint8Array, p: number): string {
  return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
}

function u24(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
}

function readChunks(b: Uint8Array, start: number, end: number, label: string): Chunk[] {
  const chunks: Chunk[] = [];
  let p = start;
  while (p + 8 <= end) {
    const size = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
    if (p + 8 + size > end) throw webpError(label, `is truncated (chunk ${JSON.stringify(fourccAt(b, p))})`);
    chunks.push({ fourcc: fourccAt(b, p), data: b.subarray(p + 8, p + 8 + size) });
    p += 8 + size + (size & 1);
  }
  return chunks;
}

/** The image bitstream of a still image or of one animation frame. */
interface Bitstream {
  kind: 'VP8' | 'VP8L';
  data: Uint8Array;
}

function findBitstream(chunks: readonly Chunk[], label: string): Bitstream {
  for (const c of chunks) {
    if (c.fourcc === 'VP8L' || c.fourcc === 'VP8 ') return { kind: c.fourcc === 'VP8L' ? 'VP8L' : 'VP8', data: c.data };
  }
  throw webpError(label, 'has no image data');
}

/** Wraps a VP8 key frame as the smallest valid lossy WebP file. */
export function simpleLossyWebp(vp8: Uint8Array): Uint8Array<ArrayBuffer> {
  const padded = vp8.length + (vp8.length & 1);
  const out = new Uint8Array(20 + padded);
  const view = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  view.setUint32(4, 12 + padded, true);
  out.set([0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20], 8); // WEBPVP8␠
  view.setUint32(16, vp8.length, true);
  out.set(vp8, 20);
  return out;
}

/** Frame size from a VP8 key-frame header (RFC 6386 §9.1). */
function vp8Size(vp8: Uint8Array, label: string): { width: number; height: number } {
  if (vp8.length < 10 || vp8[3] !== 0x9d || vp8[4] !== 0x01 || vp8[5] !== 0x2a) throw webpError(label, 'has a corrupt VP8 header');
  return { width: (vp8[6] | (vp8[7] << 8)) & 0x3fff, height: (vp8[8] | (vp8[9] << 8)) & 0x3fff };
}

async function decodeBitstream(bitstream: Bitstream, decodeLossy: LossyWebpDecoder, label: string): Promise<RgbImage> {
  if (bitstream.kind === 'VP8L') {
    const { width, height, argb } = decodeVp8l(bitstream.data, label);
    const data = new Uint8Array(width * height * 3);
    for (let i = 0, o = 0; i < argb.length; i++, o += 3) {
      const p = argb[i];
      data[o] = (p >>> 16) & 0xff;
      data[o + 1] = (p >>> 8) & 0xff;
      data[o + 2] = p & 0xff;
    }
    return { data, width, height };
  }
  const declared = vp8Size(bitstream.data, label);
  if (declared.width * declared.height > MAX_IMAGE_PIXELS) {
    throw new SiglipError('INVALID_INPUT', `${label}: WebP is ${declared.width}x${declared.height}, above the ${MAX_IMAGE_PIXELS}-pixel limit`);
  }
  const image = await decodeLossy(simpleLossyWebp(bitstream.data));
  if (image.width !== declared.width || image.height !== declared.height) {
    throw webpError(label, `decoded to ${image.width}x${image.height}, expected ${declared.width}x${declared.height}`);
  }
  return image;
}

/** Pillow's exif_transpose: EXIF chunk orientation, else XMP tiff:Orientation. */
function orientationOf(chunks: readonly Chunk[]): number {
  const exif = chunks.find((c) => c.fourcc === 'EXIF');
  const fromExif = exif ? readTiffOrientation(exif.data) : null;
  if (fromExif !== null) return fromExif;
  const xmp = chunks.find((c) => c.fourcc === 'XMP ');
  return (xmp ? readXmpOrientation(new TextDecoder().decode(xmp.data)) : null) ?? 1;
}

export function isWebp(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && fourccAt(bytes, 0) === 'RIFF' && fourccAt(bytes, 8) === 'WEBP';
}

/** Decodes a WebP file's first frame to the RGB Pillow gives, with EXIF orientation applied. */
export async function decodeWebp(bytes: Uint8Array, decodeLossy: LossyWebpDecoder, label = 'image'): Promise<RgbImage> {
  if (!isWebp(bytes)) throw webpError(label, 'signature is missing');
  const declaredEnd = 8 + ((bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0);
  // libwebp's demuxer (Pillow's only WebP reader) refuses a file shorter than its RIFF size says,
  // even when just the last chunk's padding byte is missing.
  if (bytes.length < declaredEnd) throw webpError(label, `is truncated (${bytes.length} of the ${declaredEnd} bytes its RIFF header declares)`);
  const riffEnd = declaredEnd;
  const chunks = readChunks(bytes, 12, riffEnd, label);
  const first = chunks[0];
  if (!first) throw webpError(label, 'is truncated');
  let image: RgbImage;
  if (first.fourcc !== 'VP8X') {
    image = await decodeBitstream(findBitstream([first], label), decodeLossy, label);
  } else {
    if (first.data.length < 10) throw webpError(label, 'has a truncated VP8X header');
    const canvasWidth = u24(first.data, 4) + 1;
    const canvasHeight = u24(first.data, 7) + 1;
    if (canvasWidth * canvasHeight > MAX_IMAGE_PIXELS) {
      throw new SiglipError('INVALID_INPUT', `${label}: WebP is ${canvasWidth}x${canvasHeight}, above the ${MAX_IMAGE_PIXELS}-pixel limit`);
    }
    const frame = chunks.find((c) => c.fourcc === 'ANMF');
    if (first.data[0] & 0x02 && frame) {
      image = await firstAnimationFrame(frame.data, canvasWidth, canvasHeight, decodeLossy, label);
    } else {
      image = await decodeBitstream(findBitstream(chunks, label), decodeLossy, label);
      if (image.width !== canvasWidth || image.height !== canvasHeight) {
        throw webpError(label, `image is ${image.width}x${image.height} but the canvas is ${canvasWidth}x${canvasHeight}`);
      }
    }
  }
  return applyExifOrientation(image, orientationOf(chunks));
}

/**
 * The first frame of an animation as WebPAnimDecoder composes it: a key frame drawn onto a canvas
 * cleared to transparent black, without blending, so the area outside the frame is RGB 0.
 */
async function firstAnimationFrame(
  anmf: Uint8Array,
  canvasWidth: number,
  canvasHeight: number,
  decodeLossy: LossyWebpDecoder,
  label: string,
): Promise<RgbImage> {
  if (anmf.length < 16) throw webpError(label, 'has a truncated animation frame');
  const x0 = u24(anmf, 0) * 2;
  const y0 = u24(anmf, 3) * 2;
  const frame = await decodeBitstream(findBitstream(readChunks(anmf, 16, anmf.length, label), label), decodeLossy, label);
  if (x0 + frame.width > canvasWidth || y0 + frame.height > canvasHeight) throw webpError(label, 'animation frame lies outside the canvas');
  const data = new Uint8Array(canvasWidth * canvasHeight * 3);
  for (let y = 0; y < frame.height; y++) {
    data.set(frame.data.subarray(y * frame.width * 3, (y + 1) * frame.width * 3), ((y0 + y) * canvasWidth + x0) * 3);
  }
  return { data, width: canvasWidth, height: canvasHeight };
}
