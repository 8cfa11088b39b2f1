/**
 * A decoded pixel buffer as the resampler reads it: RGB or RGBA bytes plus a pending EXIF
 * orientation, addressed through index arithmetic instead of materialised copies. Dropping the
 * alpha byte (Pillow's convert("RGB")) and transposing (exif_transpose) are pure pixel moves, so
 * reading pixel (x, y) of the oriented RGB image straight from the source is exact, and the 12 MP
 * RGB and rotated copies a phone photo would otherwise cost (36 MB each) are never made.
 */
import type { RgbImage } from './rgb-image.js';

export interface PixelSource {
  /** Row-major pixels, `channels` bytes each; R, G, B first (a 4th byte, alpha or padding, is ignored). */
  readonly data: Uint8Array | Uint8ClampedArray;
  /** Size of the stored (not yet oriented) pixels. */
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  /** EXIF orientation still to apply as Pillow's exif_transpose does (1 or absent: none; values outside 2..8 are ignored). */
  readonly orientation?: number;
}

/**
 * Where pixel (x, y) of the oriented image lives in `data`: byte `origin + x * dx + y * dy`, with
 * the oriented size. Mirrors the transposes of exif-orientation.ts's applyExifOrientation:
 * 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270, 7 TRANSVERSE, 8 ROTATE_90.
 */
export interface OrientedLayout {
  readonly width: number;
  readonly height: number;
  readonly origin: number;
  readonly dx: number;
  readonly dy: number;
}

export function orientedLayout(src: PixelSource): OrientedLayout {
  const { width: w, height: h, channels: c } = src;
  const stride = w * c;
  const o = src.orientation !== undefined && Number.isInteger(src.orientation) && src.orientation >= 2 && src.orientation <= 8 ? src.orientation : 1;
  // (sx, sy) of oriented pixel (x, y), written as origin + x * dx + y * dy in bytes.
  switch (o) {
    case 2: // sx = w-1-x, sy = y
      return { width: w, height: h, origin: (w - 1) * c, dx: -c, dy: stride };
    case 3: // sx = w-1-x, sy = h-1-y
      return { width: w, height: h, origin: (h - 1) * stride + (w - 1) * c, dx: -c, dy: -stride };
    case 4: // sx = x, sy = h-1-y
      return { width: w, height: h, origin: (h - 1) * stride, dx: c, dy: -stride };
    case 5: // sx = y, sy = x
      return { width: h, height: w, origin: 0, dx: stride, dy: c };
    case 6: // sx = y, sy = h-1-x
      return { width: h, height: w, origin: (h - 1) * stride, dx: -stride, dy: c };
    case 7: // sx = w-1-y, sy = h-1-x
      return { width: h, height: w, origin: (h - 1) * stride + (w - 1) * c, dx: -stride, dy: -c };
    case 8: // sx = w-1-y, sy = x
      return { width: h, height: w, origin: (w - 1) * c, dx: stride, dy: -c };
    default:
      return { width: w, height: h, origin: 0, dx: c, dy: stride };
  }
}

/** Oriented size (width and height swap for orientations 5..8). */
export function orientedSize(src: PixelSource): { width: number; height: number } {
  const { width, height } = orientedLayout(src);
  return { width, height };
}

/** RGB rows [rowFirst, rowFirst + rows) of the oriented image, as one packed RGB buffer. */
export function orientedRgbRows(src: PixelSource, rowFirst: number, rows: number): Uint8Array {
  const { width, origin, dx, dy } = orientedLayout(src);
  const data = src.data;
  const out = new Uint8Array(width * rows * 3);
  let o = 0;
  for (let y = 0; y < rows; y++) {
    let p = origin + (rowFirst + y) * dy;
    for (let x = 0; x < width; x++, p += dx) {
      out[o++] = data[p];
      out[o++] = data[p + 1];
      out[o++] = data[p + 2];
    }
  }
  return out;
}

/** The oriented image as RGB8 (a fresh buffer, except RGB sources without orientation, which are returned as is). */
export function materializeRgb(src: PixelSource): RgbImage {
  const { width, height } = orientedLayout(src);
  if (src.channels === 3 && width === src.width && orientedLayout(src).dx === 3 && orientedLayout(src).origin === 0 && src.data instanceof Uint8Array) {
    return { data: src.data.length === width * height * 3 ? src.data : src.data.subarray(0, width * height * 3), width, height };
  }
  return { data: orientedRgbRows(src, 0, height), width, height };
}

export function rgbSource(image: RgbImage): PixelSource {
  return { data: image.data, width: image.width, height: image.height, channels: 3 };
}
