/**
 * QOI ("Quite OK Image") decoding as Pillow's QoiImagePlugin does it: header "qoif", u32 BE width
 * and height, channels (3 = RGB, anything else RGBA), colour space ignored; the ops of the spec,
 * an unseen index slot reading (0, 0, 0, 0). Alpha is dropped without compositing.
 */
import { SiglipError } from '../../errors.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';

export function isQoi(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x71 && b[1] === 0x6f && b[2] === 0x69 && b[3] === 0x66;
}

export function decodeQoi(b: Uint8Array, label = 'image'): RgbImage {
  if (!isQoi(b) || b.length < 14) throw new SiglipError('IMAGE_DECODE', `${label}: QOI header is missing or truncated`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = view.getUint32(4);
  const height = view.getUint32(8);
  checkImageSize(width, height, label);
  const count = width * height;
  const out = new Uint8Array(count * 3);
  const index = new Uint8Array(64 * 4); // unseen slots read (0, 0, 0, 0)
  let r = 0;
  let g = 0;
  let bl = 0;
  let a = 255;
  let p = 14;
  const truncated = (): SiglipError => new SiglipError('IMAGE_DECODE', `${label}: QOI data is truncated (image file is truncated)`);
  for (let px = 0; px < count; ) {
    if (p >= b.length) throw truncated();
    const op = b[p++];
    if (op === 0xfe) {
      if (p + 3 > b.length) throw truncated();
      r = b[p];
      g = b[p + 1];
      bl = b[p + 2];
      p += 3;
    } else if (op === 0xff) {
      if (p + 4 > b.length) throw truncated();
      r = b[p];
      g = b[p + 1];
      bl = b[p + 2];
      a = b[p + 3];
      p += 4;
    } else if (op >> 6 === 0) {
      const i = (op & 63) * 4;
      r = index[i];
      g = index[i + 1];
      bl = index[i + 2];
      a = index[i + 3];
    } else if (op >> 6 === 1) {
      r = (r + ((op >> 4) & 3) - 2) & 255;
      g = (g + ((op >> 2) & 3) - 2) & 255;
      bl = (bl + (op & 3) - 2) & 255;
    } else if (op >> 6 === 2) {
      if (p >= b.length) throw truncated();
      const second = b[p++];
      const dg = (op & 63) - 32;
      r = (r + dg + ((second >> 4) & 15) - 8) & 255;
      g = (g + dg) & 255;
      bl = (bl + dg + (second & 15) - 8) & 255;
    } else {
      // QOI_OP_RUN: the previous pixel again, the index is not touched.
      const run = Math.min((op & 63) + 1, count - px);
      for (let k = 0; k < run; k++, px++) {
        out[px * 3] = r;
        out[px * 3 + 1] = g;
        out[px * 3 + 2] = bl;
      }
      continue;
    }
    const h = ((r * 3 + g * 5 + bl * 7 + a * 11) % 64) * 4;
    index[h] = r;
    index[h + 1] = g;
    index[h + 2] = bl;
    index[h + 3] = a;
    out[px * 3] = r;
    out[px * 3 + 1] = g;
    out[px * 3 + 2] = bl;
    px++;
  }
  return { data: out, width, height };
}
