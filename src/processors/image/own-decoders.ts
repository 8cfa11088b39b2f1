/**
 * Formats we decode ourselves because browsers alter their pixels (premultiplied alpha, palette
 * transparency, colour management) or differ between engines: GIF, BMP and WebP (lossless
 * fully; lossy via a bare VP8 file the caller's browser decoder handles) and TIFF (which Chromium
 * and Firefox cannot decode at all). Each follows Pillow.
 */
import { SiglipError } from '../../errors.js';
import { decodeBmp } from './bmp-decode.js';
import { decodeGif } from './gif-decode.js';
import { decodeTiff } from './tiff-decode.js';
import type { ImageFormat } from './image-format.js';
import type { RgbImage } from './rgb-image.js';
import { decodeWebp, type LossyWebpDecoder } from './webp-decode.js';

export function hasOwnDecoder(format: ImageFormat): format is 'gif' | 'bmp' | 'webp' | 'tiff' {
  return format === 'gif' || format === 'bmp' || format === 'webp' || format === 'tiff';
}

/** Decodes with our Pillow-exact decoder; any unexpected failure is reported as IMAGE_DECODE. */
export async function decodeWithOwnDecoder(
  bytes: Uint8Array,
  format: 'gif' | 'bmp' | 'webp' | 'tiff',
  label: string,
  decodeLossyWebp: LossyWebpDecoder,
): Promise<RgbImage> {
  try {
    if (format === 'gif') return decodeGif(bytes, label);
    if (format === 'bmp') return decodeBmp(bytes, label);
    if (format === 'tiff') return await decodeTiff(bytes, label);
    return await decodeWebp(bytes, decodeLossyWebp, label);
  } catch (err) {
    if (err instanceof SiglipError) throw err;
    throw SiglipError.wrap('IMAGE_DECODE', `cannot decode ${label} (${format}); the data may be corrupt or truncated`, err);
  }
}
