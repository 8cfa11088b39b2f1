/**
 * TGA (Targa) decoding that follows Pillow's TgaImagePlugin for `Image.open(f).convert("RGB")`:
 * the header checks Pillow uses to recognise a TGA (TGA has no signature), image types 1/2/3 and
 * their RLE forms 9/10/11, 8-bit palettes (15/16-, 24- or 32-bit colour maps), gray 1/8/16-bit
 * (gray + alpha), true colour 16 (5-5-5), 24 and 32 bits, bottom-up/top-down and right-to-left
 * origins, RLE raw packets that run across rows (repeat packets may not: Pillow reports an overrun).
 * Alpha is dropped without compositing.
 */
import { SiglipError } from '../../errors.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';

function tgaError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: TGA ${message}`);
}

/** Pillow's TGA header check (it tries TGA on files no other format claims). */
export function looksLikeTga(b: Uint8Array): boolean {
  if (b.length < 18) return false;
  const width = b[12] | (b[13] << 8);
  const height = b[14] | (b[15] << 8);
  const depth = b[16];
  const orientation = b[17] & 0x30;
  if (b[1] > 1 || width === 0 || height === 0 || ![1, 8, 16, 24, 32].includes(depth)) return false;
  if (![1, 2, 3, 9, 10, 11].includes(b[2])) return false;
  return orientation === 0 || orientation === 0x10 || orientation === 0x20 || orientation === 0x30;
}

/** 5-bit channel to 8 bits as Pillow's unpackers do: v * 255 / 31, truncated. */
const five = (v: number): number => Math.floor((v * 255) / 31);

export function decodeTga(b: Uint8Array, label = 'image'): RgbImage {
  if (!looksLikeTga(b)) throw tgaError(label, 'header is not valid');
  const idLength = b[0];
  const colorMapType = b[1];
  const imageType = b[2];
  const width = b[12] | (b[13] << 8);
  const height = b[14] | (b[15] << 8);
  const depth = b[16];
  const flags = b[17];
  checkImageSize(width, height, label);
  const kind = imageType & 7;
  // Pillow's raw modes: (1, 8) P, (3, 1) 1, (3, 8) L, (3, 16) LA, (2, 16) BGRA;15Z, (2, 24) BGR, (2, 32) BGRA.
  const supported = (kind === 1 && depth === 8) || (kind === 3 && [1, 8, 16].includes(depth)) || (kind === 2 && [16, 24, 32].includes(depth));
  if (!supported) throw tgaError(label, `image type ${imageType} with ${depth}-bit pixels is not supported (Pillow cannot decode it either)`);
  let p = 18 + idLength;
  let palette: Uint8Array | null = null; // 256 RGB entries
  if (colorMapType === 1) {
    const start = b[3] | (b[4] << 8);
    const size = b[5] | (b[6] << 8);
    const mapDepth = b[7];
    if (![16, 24, 32].includes(mapDepth)) throw tgaError(label, `colour map depth ${mapDepth} is not supported`);
    if (start + size > 256) throw tgaError(label, `colour map of ${start + size} entries is invalid (Pillow: "invalid palette size")`);
    const entry = mapDepth / 8;
    if (p + entry * size > b.length) throw tgaError(label, 'colour map is truncated');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < size && start + i < 256; i++) {
      const q = p + i * entry;
      const o = (start + i) * 3;
      if (mapDepth === 16) {
        const v = b[q] | (b[q + 1] << 8);
        palette[o] = five((v >> 10) & 31);
        palette[o + 1] = five((v >> 5) & 31);
        palette[o + 2] = five(v & 31);
      } else {
        palette[o] = b[q + 2];
        palette[o + 1] = b[q + 1];
        palette[o + 2] = b[q];
      }
    }
    p += entry * size;
  }
  const bytesPerPixel = depth === 1 ? 0 : depth / 8;
  const count = width * height;
  // Pixels in file order (rows as stored), bytesPerPixel each (1-bit rows are packed, MSB first, byte-padded).
  let pixels: Uint8Array;
  if (imageType & 8) {
    if (depth === 1) throw tgaError(label, 'RLE with 1-bit pixels is not supported');
    const total = count * bytesPerPixel;
    pixels = new Uint8Array(total);
    let o = 0;
    while (o < total) {
      if (p >= b.length) throw tgaError(label, 'is truncated (image file is truncated)');
      const header = b[p++];
      const n = ((header & 0x7f) + 1) * bytesPerPixel;
      const take = Math.min(n, total - o);
      if (header & 0x80) {
        // Pillow's RLE decoder lets raw packets run on into the next row but not repeat packets.
        if ((o % (width * bytesPerPixel)) + n > width * bytesPerPixel) throw tgaError(label, 'RLE run crosses a row end (Pillow: "buffer overrun")');
        if (p + bytesPerPixel > b.length) throw tgaError(label, 'is truncated (image file is truncated)');
        for (let i = 0; i < take; i++) pixels[o + i] = b[p + (i % bytesPerPixel)];
        p += bytesPerPixel;
      } else {
        if (p + n > b.length) throw tgaError(label, 'is truncated (image file is truncated)');
        pixels.set(b.subarray(p, p + take), o);
        p += n;
      }
      o += take;
    }
  } else {
    const total = depth === 1 ? Math.ceil(width / 8) * height : count * bytesPerPixel;
    if (p + total > b.length) throw tgaError(label, 'is truncated (image file is truncated)');
    pixels = b.subarray(p, p + total);
  }
  const out = new Uint8Array(count * 3);
  const topDown = (flags & 0x20) !== 0;
  const rightToLeft = (flags & 0x10) !== 0;
  const rowBytes = depth === 1 ? Math.ceil(width / 8) : width * bytesPerPixel;
  for (let r = 0; r < height; r++) {
    const y = topDown ? r : height - 1 - r;
    const row = r * rowBytes;
    for (let c = 0; c < width; c++) {
      const x = rightToLeft ? width - 1 - c : c;
      const o = (y * width + x) * 3;
      let red: number;
      let green: number;
      let blue: number;
      if (depth === 1) {
        red = green = blue = (pixels[row + (c >> 3)] >> (7 - (c & 7))) & 1 ? 255 : 0;
      } else {
        const q = row + c * bytesPerPixel;
        if (kind === 3) {
          red = green = blue = pixels[q];
        } else if (kind === 1) {
          const i = pixels[q] * 3;
          // Without a colour map Pillow reads the indices as gray levels (mode L).
          red = palette ? palette[i] : pixels[q];
          green = palette ? palette[i + 1] : pixels[q];
          blue = palette ? palette[i + 2] : pixels[q];
        } else if (depth === 16) {
          const v = pixels[q] | (pixels[q + 1] << 8);
          red = five((v >> 10) & 31);
          green = five((v >> 5) & 31);
          blue = five(v & 31);
        } else {
          red = pixels[q + 2];
          green = pixels[q + 1];
          blue = pixels[q];
        }
      }
      out[o] = red;
      out[o + 1] = green;
      out[o + 2] = blue;
    }
  }
  return { data: out, width, height };
}
