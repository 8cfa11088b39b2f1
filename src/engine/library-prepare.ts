/**
 * The CPU side of indexing one photo: read its bytes, hash them (the default id), decode like PIL
 * (EXIF orientation included) and resize/normalize to pixel_values. Runs in the preprocessing
 * worker so the engine worker's single ONNX thread stays busy with the vision pass.
 */
import { SiglipError, type SerializedSiglipError } from '../errors.js';
import { sha256OfBlob } from '../storage/sha256-stream.js';
import { decodeImagePixels } from '../processors/image/decode-browser.js';
import type { SiglipImageProcessor } from '../processors/image/image-processor.js';

export interface PreparedPixels {
  /** 3 × H × W float32, this photo's slice of pixel_values. */
  readonly pixels: Float32Array;
  /** Size after EXIF orientation. */
  readonly width: number;
  readonly height: number;
}

export type PrepareOutcome = PreparedPixels | { readonly error: SerializedSiglipError };

/** Default photo id: hex sha-256 of the bytes, so the same photo under any name is stored once. */
export async function photoIds(blobs: readonly (Blob | string)[]): Promise<(string | { error: SerializedSiglipError })[]> {
  return Promise.all(
    blobs.map(async (b) => {
      if (typeof b === 'string') return b;
      try {
        return await sha256OfBlob(b);
      } catch (err) {
        return { error: SiglipError.wrap('IMAGE_FETCH', 'Could not read the file (was it moved or deleted?)', err).toJSON() };
      }
    }),
  );
}

/** Decodes and preprocesses photos one at a time, so at most one full-size bitmap is alive. */
export async function preparePixels(blobs: readonly Blob[], processor: SiglipImageProcessor, label: (i: number) => string): Promise<PrepareOutcome[]> {
  const out: PrepareOutcome[] = [];
  for (let i = 0; i < blobs.length; i++) {
    try {
      // The decoded RGBA (or RGB) bytes are resized in place: no RGB or rotated full-size copies.
      const source = await decodeImagePixels(blobs[i] as Blob, label(i));
      const { pixelValues, width, height } = processor.processSource(source);
      out.push({ pixels: pixelValues, width, height });
    } catch (err) {
      const error = err instanceof SiglipError ? err : SiglipError.wrap('IMAGE_DECODE', `Could not decode ${label(i)}`, err);
      out.push({ error: error.toJSON() });
    }
  }
  return out;
}
