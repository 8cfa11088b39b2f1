import { SiglipError } from '../errors.js';
import { decodeImageBytes, pixelsFromSource, type ImageCodecs } from '../processors/image/decode-browser.js';
import type { RgbImage } from '../processors/image/image-processor.js';
import type { WireImage } from '../protocol/engine-protocol.js';

/** Decoding happens here, next to the model, so the page never spends time on it. */
export async function decodeWireImage(image: WireImage, index: number, codecs: ImageCodecs = {}): Promise<RgbImage> {
  switch (image.kind) {
    case 'blob':
      return decodeImageBytes(image.blob, 'image', codecs);
    case 'bitmap':
    case 'imagedata':
      return pixelsFromSource(image.kind === 'bitmap' ? image.bitmap : image.imageData);
    case 'url':
      return decodeImageBytes(await fetchImage(image.url, index), 'image', codecs);
  }
}

async function fetchImage(url: string, index: number): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (err) {
    // Browsers report CORS refusals and network failures as the same opaque TypeError.
    throw new SiglipError(
      'IMAGE_FETCH',
      `Could not fetch image #${index} (${shorten(url)}): network error or the server does not allow cross-origin reads (CORS)`,
      err instanceof Error ? err.message : String(err),
    );
  }
  if (!response.ok) throw new SiglipError('IMAGE_FETCH', `Could not fetch image #${index} (${shorten(url)}): HTTP ${response.status}`);
  return response.blob();
}

function shorten(url: string): string {
  return url.length > 100 ? `${url.slice(0, 97)}...` : url;
}
