/**
 * The library exchange file: one `.safetensors` with tensor `embeddings` (F32, [N, D], raw pooled
 * image features) and `__metadata__` { format: "siglip-web-library/1", model, ids, names } — the
 * file Python writes with `safetensors.numpy.save_file` / `safetensors.torch.save_file`.
 * Layout: u64 little-endian header size, JSON header, then the tensor bytes.
 */
import { SiglipError } from '../../errors.js';

export const LIBRARY_FILE_FORMAT = 'siglip-web-library/1';
/** Headers above this are refused (safetensors itself caps them at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface LibraryFile {
  readonly model: string;
  readonly ids: readonly string[];
  readonly names: readonly (string | null)[];
  readonly dim: number;
  /** N × dim float32, row-major. */
  readonly embeddings: Float32Array;
}

function formatError(message: string): SiglipError {
  return new SiglipError('LIBRARY_FORMAT', `Not a valid siglip-web library file: ${message}`);
}

/** Serialises a library file (header padded with spaces to 8 bytes, as the Python writer does). */
export function encodeLibraryFile(file: LibraryFile): Blob {
  const n = file.ids.length;
  if (file.embeddings.length !== n * file.dim) throw new SiglipError('INTERNAL', `encodeLibraryFile: ${n} ids but ${file.embeddings.length / Math.max(1, file.dim)} rows`);
  const header = {
    __metadata__: { format: LIBRARY_FILE_FORMAT, model: file.model, ids: JSON.stringify(file.ids), names: JSON.stringify(file.names) },
    embeddings: { dtype: 'F32', shape: [n, file.dim], data_offsets: [0, n * file.dim * 4] },
  };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const bytes = new Uint8Array(padded).fill(0x20);
    bytes.set(json);
    json = bytes;
  }
  const size = new DataView(new ArrayBuffer(8));
  size.setBigUint64(0, BigInt(json.length), true);
  const data = littleEndianBytes(file.embeddings);
  return new Blob([size.buffer, json, data], { type: 'application/octet-stream' });
}

function littleEndianBytes(values: Float32Array): ArrayBuffer {
  const out = new ArrayBuffer(values.length * 4);
  const view = new DataView(out);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return out;
}

function parseJsonArray(text: unknown, key: string): unknown[] {
  if (typeof text !== 'string') throw formatError(`__metadata__.${key} must be a JSON array in a string`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw formatError(`__metadata__.${key} is not valid JSON`);
  }
  if (!Array.isArray(parsed)) throw formatError(`__metadata__.${key} must be a JSON array`);
  return parsed;
}

/** Parses and validates a library file; every problem is a LIBRARY_FORMAT error naming it. */
export async function decodeLibraryFile(blob: Blob): Promise<LibraryFile> {
  if (blob.size < 8) throw formatError(`${blob.size} bytes is too short for a .safetensors file`);
  const headerSize = Number(new DataView(await blob.slice(0, 8).arrayBuffer()).getBigUint64(0, true));
  if (headerSize <= 0 || headerSize > MAX_HEADER_BYTES || 8 + headerSize > blob.size) {
    throw formatError(`the header size (${headerSize} bytes) does not fit in the ${blob.size}-byte file; is this a .safetensors file?`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await blob.slice(8, 8 + headerSize).arrayBuffer())) as Record<string, unknown>;
  } catch {
    throw formatError('the header is not valid UTF-8 JSON; is this a .safetensors file?');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw formatError('the header is not a JSON object');
  const meta = header['__metadata__'] as Record<string, unknown> | undefined;
  if (typeof meta !== 'object' || meta === null) throw formatError(`no __metadata__; write it with format "${LIBRARY_FILE_FORMAT}", model, ids and names (see README "Photo library")`);
  if (meta['format'] !== LIBRARY_FILE_FORMAT) throw formatError(`__metadata__.format is ${JSON.stringify(meta['format'])}, expected "${LIBRARY_FILE_FORMAT}"`);
  const model = meta['model'];
  if (typeof model !== 'string') throw formatError('__metadata__.model must be a string (the model id or URL)');
  const tensor = header['embeddings'] as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | undefined;
  if (typeof tensor !== 'object' || tensor === null) throw formatError('no tensor named "embeddings"');
  if (tensor.dtype !== 'F32') throw formatError(`tensor "embeddings" is ${String(tensor.dtype)}, expected F32 (float32)`);
  const shape = tensor.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw formatError(`tensor "embeddings" must have shape [N, D], got ${JSON.stringify(shape)}`);
  }
  const [n, dim] = shape as [number, number];
  const offsets = tensor.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && (o as number) >= 0)) {
    throw formatError('tensor "embeddings" has invalid data_offsets');
  }
  const [begin, end] = offsets as [number, number];
  const dataStart = 8 + headerSize;
  if (end - begin !== n * dim * 4 || dataStart + end > blob.size) {
    throw formatError(`tensor "embeddings" [${n}, ${dim}] needs ${n * dim * 4} bytes but the file holds ${Math.max(0, blob.size - dataStart - begin)} (truncated?)`);
  }
  const ids = parseJsonArray(meta['ids'], 'ids');
  if (ids.length !== n || !ids.every((id) => typeof id === 'string' && id.length > 0)) throw formatError(`__metadata__.ids must hold ${n} non-empty strings (one per row), got ${ids.length} entries`);
  const names = meta['names'] === undefined ? new Array<null>(n).fill(null) : parseJsonArray(meta['names'], 'names');
  if (names.length !== n || !names.every((x) => x === null || typeof x === 'string')) throw formatError(`__metadata__.names must hold ${n} strings or nulls, got ${names.length} entries`);
  const raw = await blob.slice(dataStart + begin, dataStart + end).arrayBuffer();
  const view = new DataView(raw);
  const embeddings = new Float32Array(n * dim);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = view.getFloat32(i * 4, true);
  for (let i = 0; i < embeddings.length; i++) {
    if (!Number.isFinite(embeddings[i])) throw formatError(`row ${Math.floor(i / Math.max(1, dim))} (${String(ids[Math.floor(i / Math.max(1, dim))])}) holds a non-finite value`);
  }
  return { model, ids: ids as string[], names: names as (string | null)[], dim, embeddings };
}
