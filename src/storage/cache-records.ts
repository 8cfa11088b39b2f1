import type { Dtype } from '../types.js';

/**
 * What the IndexedDB store holds. One object store, string keys with a kind prefix so the page can
 * list metadata without touching bodies:
 *   file:<url>              FileRecord (metadata)       body:<url>  Blob (the bytes)
 *   logit:<modelBaseUrl>    LogitRecord (derived from model.onnx, so no Range request on later visits)
 *   manifest:<base>|<dtype> ManifestRecord (written after a load succeeded: "this loads offline")
 * Every file is keyed by its real URL, so entries stay meaningful to cache.list().
 */
export const CACHE_DB_NAME = 'siglip-web-cache';
export const CACHE_STORE_NAME = 'entries';
/** Bumped when records change shape; older records are ignored (and replaced on the next download). */
export const RECORD_VERSION = 1;

export type FileKind = 'model' | 'runtime';

export interface FileRecord {
  readonly v: number;
  readonly url: string;
  readonly kind: FileKind;
  /** What the user passed as `model` (hub id or URL); `onnxruntime-web` for runtime files. */
  readonly model: string;
  /** Model folder (or runtime folder) URL the file belongs to. */
  readonly baseUrl: string;
  /** Path inside the folder, e.g. `onnx/vision_model_quantized.onnx`. */
  readonly file: string;
  readonly size: number;
  readonly contentType: string;
  readonly etag?: string;
  /** sha256 of the stored bytes, computed while they streamed in. */
  readonly sha256: string;
  /** True when the server vouched for the same hash (ETag / X-Linked-Etag) and it matched. */
  readonly sha256FromServer: boolean;
  readonly storedAt: number;
}

export interface LogitRecord {
  readonly v: number;
  readonly baseUrl: string;
  readonly model: string;
  readonly logitScaleExp: number;
  readonly logitBias: number;
  readonly source: string;
  readonly storedAt: number;
}

export interface ManifestRecord {
  readonly v: number;
  readonly baseUrl: string;
  readonly model: string;
  readonly dtype: Dtype;
  /** Keys (file:… / logit:…) that must all exist for this dtype to load without network. */
  readonly keys: readonly string[];
  readonly storedAt: number;
}

export const fileKey = (url: string): string => `file:${url}`;
export const bodyKey = (url: string): string => `body:${url}`;
export const logitKey = (baseUrl: string): string => `logit:${baseUrl}`;
export const manifestKey = (baseUrl: string, dtype: Dtype): string => `manifest:${baseUrl}|${dtype}`;

export function isFileRecord(value: unknown): value is FileRecord {
  const r = value as Partial<FileRecord> | null;
  return typeof r === 'object' && r !== null && r.v === RECORD_VERSION && typeof r.url === 'string' && typeof r.size === 'number' && typeof r.sha256 === 'string';
}

export function isLogitRecord(value: unknown): value is LogitRecord {
  const r = value as Partial<LogitRecord> | null;
  return typeof r === 'object' && r !== null && r.v === RECORD_VERSION && Number.isFinite(r.logitScaleExp) && Number.isFinite(r.logitBias) && (r.logitScaleExp as number) > 0;
}

export function isManifestRecord(value: unknown): value is ManifestRecord {
  const r = value as Partial<ManifestRecord> | null;
  return typeof r === 'object' && r !== null && r.v === RECORD_VERSION && typeof r.baseUrl === 'string' && Array.isArray(r.keys);
}

const DTYPE_SUFFIXES: readonly (readonly [string, Dtype])[] = [
  ['_q4f16', 'q4f16'],
  ['_fp16', 'fp16'],
  ['_quantized', 'q8'],
  ['_int8', 'q8'],
  ['_uint8', 'q8'],
  ['_q8', 'q8'],
  ['_bnb4', 'q4'],
  ['_q4', 'q4'],
];

/** dtype of an ONNX weight file from transformers.js' naming (`vision_model_fp16.onnx` → fp16); undefined for other files. */
export function dtypeOfFile(file: string): Dtype | undefined {
  const m = /([^/]+)\.onnx(_data(_\d+)?)?$/.exec(file);
  if (!m) return undefined;
  const stem = m[1] as string;
  for (const [suffix, dtype] of DTYPE_SUFFIXES) if (stem.endsWith(suffix)) return dtype;
  return 'fp32';
}

/** The folder a URL belongs to among known folders (longest match wins), and the path inside it. */
export function locate(url: string, folders: Iterable<string>): { baseUrl: string; file: string } | undefined {
  let best: string | undefined;
  for (const base of folders) if (url.startsWith(base) && (best === undefined || base.length > best.length)) best = base;
  return best === undefined ? undefined : { baseUrl: best, file: url.slice(best.length) };
}
