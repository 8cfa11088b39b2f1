/**
 * Photoshop (PSD) decoding as Pillow's PsdImagePlugin reads it: the merged (composite) image at
 * the end of the file, 8-bit bitmap/gray/indexed/RGB(A)/CMYK/multichannel/duotone, raw or
 * PackBits. Pillow's quirks are kept: with PackBits it skips only the row byte counts of the
 * channels it reads (RGB + alpha at most); CMYK is stored inverted and converted with Pillow's
 * cmyk2rgb (nk - round(c * nk / 255), nk = 255 - k); bitmap bits of 1 read as white. Layers are
 * ignored, as `Image.open(f).convert("RGB")` does. 16-bit and Lab documents fail in Pillow too.
 */
import { SiglipError } from '../../errors.js';
import { checkImageSize, type RgbImage } from './rgb-image.js';

function psdError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: PSD ${message}`);
}

export function isPsd(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x38 && b[1] === 0x42 && b[2] === 0x50 && b[3] === 0x53;
}

/** Pillow's MODES: (psd mode, bits) -> (mode, channels read). */
function modeOf(psdMode: number, bits: number): { mode: '1' | 'L' | 'P' | 'RGB' | 'CMYK'; channels: number } | null {
  if (bits === 1 && psdMode === 0) return { mode: '1', channels: 1 };
  if (bits !== 8) return null;
  if (psdMode === 0 || psdMode === 1 || psdMode === 7 || psdMode === 8) return { mode: 'L', channels: 1 };
  if (psdMode === 2) return { mode: 'P', channels: 1 };
  if (psdMode === 3) return { mode: 'RGB', channels: 3 };
  if (psdMode === 4) return { mode: 'CMYK', channels: 4 };
  return null;
}

/** Pillow's PackBits decoder over one channel's stream (runs may cross rows). */
function unpackBits(b: Uint8Array, start: number, length: number, label: string): Uint8Array {
  const out = new Uint8Array(length);
  let p = start;
  let o = 0;
  while (o < length) {
    if (p >= b.length) throw psdError(label, 'image data is truncated (image file is truncated)');
    const n = b[p];
    if (n === 0x80) {
      p++;
    } else if (n & 0x80) {
      if (p + 1 >= b.length) throw psdError(label, 'image data is truncated (image file is truncated)');
      const count = Math.min(257 - n, length - o);
      out.fill(b[p + 1], o, o + count);
      o += count;
      p += 2;
    } else {
      const count = n + 1;
      if (p + 1 + count > b.length) throw psdError(label, 'image data is truncated (image file is truncated)');
      const take = Math.min(count, length - o);
      out.set(b.subarray(p + 1, p + 1 + take), o);
      o += take;
      p += 1 + count;
    }
  }
  return out;
}

/** Pillow's MULDIV255: round(a * b / 255) in integers. */
const muldiv255 = (a: number, b: number): number => {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
};

export function decodePsd(b: Uint8Array, label = 'image'): RgbImage {
  if (!isPsd(b) || b.length < 26) throw psdError(label, 'header is missing or truncated');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (view.getUint16(4) !== 1) throw psdError(label, `version ${view.getUint16(4)} is not supported (PSB?)`);
  const psdChannels = view.getUint16(12);
  const height = view.getUint32(14);
  const width = view.getUint32(18);
  const bits = view.getUint16(22);
  const psdMode = view.getUint16(24);
  const m = modeOf(psdMode, bits);
  if (!m) throw psdError(label, `colour mode ${psdMode} at ${bits} bits is not supported (Pillow cannot open it either); export it as PNG or JPEG`);
  if (m.channels > psdChannels) throw psdError(label, 'has not enough channels');
  const channels = m.mode === 'RGB' && psdChannels === 4 ? 4 : m.channels;
  checkImageSize(width, height, label);
  let p = 26;
  const section = (): number => {
    if (p + 4 > b.length) throw psdError(label, 'is truncated (image file is truncated)');
    const size = view.getUint32(p);
    const start = p + 4;
    p = start + size;
    return start;
  };
  const colorStart = section();
  const colorSize = p - colorStart;
  section(); // image resources
  section(); // layers and masks
  if (p + 2 > b.length) throw psdError(label, 'is truncated (no image data)');
  const compression = view.getUint16(p);
  p += 2;
  const rowBytes = m.mode === '1' ? Math.ceil(width / 8) : width;
  const planeBytes = rowBytes * height;
  const planes: Uint8Array[] = [];
  if (compression === 0) {
    // Pillow advances width * height per channel (also for 1-bit data).
    for (let c = 0; c < channels; c++) {
      const start = p + c * width * height;
      if (start + planeBytes > b.length) throw psdError(label, 'image data is truncated (image file is truncated)');
      planes.push(b.subarray(start, start + planeBytes));
    }
  } else if (compression === 1) {
    const counts = p;
    p += channels * height * 2;
    for (let c = 0; c < channels; c++) {
      planes.push(unpackBits(b, p, planeBytes, label));
      for (let y = 0; y < height; y++) {
        if (counts + 2 * (c * height + y) + 2 > b.length) throw psdError(label, 'is truncated (image file is truncated)');
        p += view.getUint16(counts + 2 * (c * height + y));
      }
    }
  } else {
    throw psdError(label, `compression ${compression} (ZIP) is not supported (Pillow cannot decode it either)`);
  }
  if (m.mode === 'P' && colorSize !== 768) throw psdError(label, 'indexed colour without a 256-entry palette is not supported');
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < width * height; i++, o += 3) {
    if (m.mode === '1') {
      const x = i % width;
      const v = (planes[0][Math.floor(i / width) * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1 ? 255 : 0;
      out[o] = out[o + 1] = out[o + 2] = v;
    } else if (m.mode === 'L') {
      out[o] = out[o + 1] = out[o + 2] = planes[0][i];
    } else if (m.mode === 'P') {
      const k = planes[0][i];
      out[o] = b[colorStart + k];
      out[o + 1] = b[colorStart + 256 + k];
      out[o + 2] = b[colorStart + 512 + k];
    } else if (m.mode === 'RGB') {
      out[o] = planes[0][i];
      out[o + 1] = planes[1][i];
      out[o + 2] = planes[2][i];
    } else {
      const nk = planes[3][i]; // stored inverted: 255 - K
      for (let c = 0; c < 3; c++) {
        const v = nk - muldiv255(255 - planes[c][i], nk);
        out[o + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return { data: out, width, height };
}
