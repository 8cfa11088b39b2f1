import { SiglipError } from '../../errors.js';

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
 * compressed file that claims a huge size cannot exhaust memory. It is Pillow's own limit: past
 * 2 × Image.MAX_IMAGE_PIXELS (2 × 89,478,485) `Image.open` raises DecompressionBombError, below it
 * Python loads the photo (a 108 MP phone photo, 12000x9000, only warns), so we decode it too.
 */
export const MAX_IMAGE_PIXELS = 178_956_970;

/**
 * The one size check every image path runs before allocating pixels (decoders, the processor, the
 * page before createImageBitmap). `what` names the image in the message; `hint` adds advice.
 */
export function checkImageSize(width: number, height: number, what: string, hint = ''): void {
  if (!(width > 0 && height > 0)) {
    throw new SiglipError('INVALID_INPUT', `${what} has zero size (${width}x${height})`);
  }
  if (width > 0x7fffffff || height > 0x7fffffff || width * height > MAX_IMAGE_PIXELS) {
    throw new SiglipError('INVALID_INPUT', `${what} is ${width}x${height}, above the ${MAX_IMAGE_PIXELS}-pixel limit (Pillow refuses it too: DecompressionBombError)${hint}`);
  }
}
