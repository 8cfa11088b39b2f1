/**
 * More formats Pillow opens and we decode ourselves (pure functions, Pillow's rules): ICO (a canvas
 * would premultiply its alpha away; the embedded PNG/BMP go through our decoders), and formats
 * browsers do not decode at all: netpbm (PBM/PGM/PPM), TGA, QOI and PSD (its merged image). Kept apart from
 * own-decoders.ts; decode-browser.ts dispatches to both.
 */
import { SiglipError } from '../../errors.js';
import { decodeIco } from './ico-decode.js';
import type { ImageFormat } from './image-format.js';
import { decodeNetpbm } from './netpbm-decode.js';
import { decodePsd } from './psd-decode.js';
import { decodeQoi } from './qoi-decode.js';
import type { RgbImage } from './rgb-image.js';
import { decodeTga } from './tga-decode.js';

export type MoreFormat = 'ico' | 'pnm' | 'tga' | 'qoi' | 'psd';

export function hasMoreDecoder(format: ImageFormat): format is MoreFormat {
  return format === 'ico' || format === 'pnm' || format === 'tga' || format === 'qoi' || format === 'psd';
}

/** Decodes with our Pillow-exact decoder; any unexpected failure is reported as IMAGE_DECODE. */
export async function decodeWithMoreDecoder(bytes: Uint8Array, format: MoreFormat, label: string): Promise<RgbImage> {
  try {
    if (format === 'ico') return await decodeIco(bytes, label);
    if (format === 'pnm') return decodeNetpbm(bytes, label);
    if (format === 'tga') return decodeTga(bytes, label);
    if (format === 'psd') return decodePsd(bytes, label);
    return decodeQoi(bytes, label);
  } catch (err) {
    if (err instanceof SiglipError) throw err;
    throw SiglipError.wrap('IMAGE_DECODE', `cannot decode ${label} (${format}); the data may be corrupt or truncated`, err);
  }
}

/** Formats Pillow may open but no browser decodes and this path does not: an actionable message, or null. */
export function unsupportedFormatMessage(format: ImageFormat, label: string): string | null {
  // Only where no JPEG 2000 codec was passed in (the engine and its workers always have one).
  if (format === 'jpeg2000') return `${label} is JPEG 2000, which browsers do not decode and this decoding path has no decoder for; pass it to a siglip-web instance (classify, embedImage, a library) or convert it to PNG or JPEG`;
  if (format === 'heic') return `${label} is HEIC/HEIF, which Chromium and Firefox do not decode (nor Pillow without the pillow-heif plugin); convert it to JPEG`;
  return null;
}
