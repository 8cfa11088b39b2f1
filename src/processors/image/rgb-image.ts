/**
 * A decoded image as 8-bit RGB, row-major, 3 bytes per pixel (what PIL calls mode "RGB").
 * This is the hand-off format between decoding, resizing and normalization.
 */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Images above this many pixels are refused before any pixel buffer is allocated, so a tiny
 * compressed file that claims a huge size cannot exhaust memory (PIL has the same kind of guard).
 */
export const MAX_IMAGE_PIXELS = 100_000_000;
