/**
 * zlib inflate via the platform's `DecompressionStream('deflate')` (browsers, workers, Node 20),
 * so the SDK ships no inflate code. Output is capped at the size the caller expects: bytes past
 * that are never buffered, which keeps a malicious stream from ballooning memory.
 */
import { SiglipError } from '../../errors.js';

/**
 * Inflates a zlib stream into exactly `expectedBytes` bytes. Like Pillow, data after the pixels
 * we need (or a missing checksum once they are complete) is ignored; running short is an error.
 */
export async function inflateZlib(compressed: Uint8Array<ArrayBuffer>, expectedBytes: number, what: string): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new SiglipError('IMAGE_DECODE', `cannot decode ${what}: DecompressionStream is not available in this environment`);
  }
  const out = new Uint8Array(expectedBytes);
  let filled = 0;
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  // Write errors resurface on the reader; swallow them here so they are not reported as unhandled.
  writer.write(compressed).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = stream.readable.getReader();
  try {
    while (filled < expectedBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, expectedBytes - filled);
      out.set(take === value.length ? value : value.subarray(0, take), filled);
      filled += take;
    }
  } catch (err) {
    if (filled < expectedBytes) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new SiglipError('IMAGE_DECODE', `${what}: compressed image data is corrupt or truncated (${detail})`, detail);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (filled < expectedBytes) {
    throw new SiglipError('IMAGE_DECODE', `${what}: image data is truncated (${filled} of ${expectedBytes} bytes after decompression)`);
  }
  return out;
}
