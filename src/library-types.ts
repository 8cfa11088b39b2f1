/** Public types of the photo library (`siglip.openLibrary()`). */
import type { SiglipError } from './errors.js';
import type { Score } from './types.js';

/** One photo to add: a File (its name, type and lastModified are kept) or a Blob with optional name/id. */
export type LibrarySource = File | Blob | { blob: Blob; name?: string; id?: string };

/** A search result, best first. */
export interface LibraryHit {
  id: string;
  name?: string;
  /** Cosine similarity between the query and the photo embedding. */
  similarity: number;
  /** For a text query the SigLIP probability `sigmoid(exp(logit_scale)·cos + logit_bias)`; otherwise equal to `similarity`. */
  score: number;
}

export interface AddReport {
  /** Photos embedded and stored by this call. */
  added: number;
  /** Photos already in the library (same id), not embedded again. */
  skipped: number;
  /** Photos that could not be read or decoded; the rest of the job went on. */
  failed: { name?: string; error: SiglipError }[];
  /** Ids of the added and skipped photos, in source order. */
  ids: string[];
}

export interface LibraryProgress {
  /** Sources handled so far (added + skipped + failed). */
  done: number;
  /** Number of sources, when known up front (arrays, directory handles). */
  total?: number;
  added: number;
  skipped: number;
  failed: number;
  /** Recent throughput of handled sources. */
  imagesPerSecond?: number;
  etaSeconds?: number;
  /** Name of the source just handled. */
  current?: string;
}

/** A stored photo record. Photos that came from `import()` only have id, name and addedAt. */
export interface LibraryPhoto {
  id: string;
  name?: string;
  type?: string;
  size?: number;
  lastModified?: number;
  /** Size after EXIF orientation, as the model saw it before resizing. */
  width?: number;
  height?: number;
  /** ms since epoch. */
  addedAt: number;
  /** Raw pooled image features (Python `get_image_features`), only filled by `get()`. */
  embedding?: Float32Array;
}

export interface LibraryUsage {
  photos: number;
  /** Bytes of stored embeddings and records (approximate for records). */
  bytes: number;
}

export interface LibraryAddOptions {
  signal?: AbortSignal;
  onProgress?: (p: LibraryProgress) => void;
}

export interface LibrarySearchOptions {
  /** Number of hits, default 20. */
  k?: number;
  /** For text queries: the template (default: the instance template, as classify); false embeds the text as given. */
  template?: string | false;
  signal?: AbortSignal;
}

export interface LibraryTagOptions {
  /** Keep only scores ≥ threshold. */
  threshold?: number;
  /** Keep only the best `topk` labels per photo. */
  topk?: number;
  /** Default: the instance template, as classify. */
  template?: string;
  /** Only these photos (default: all). Unknown ids are left out of the result. */
  ids?: string[];
}

/** A persistent, resumable photo index for one model: see README "Photo library". */
export interface PhotoLibrary {
  readonly name: string;
  count(): Promise<number>;
  add(
    sources: LibrarySource | Iterable<LibrarySource> | AsyncIterable<LibrarySource> | FileSystemDirectoryHandle,
    options?: LibraryAddOptions,
  ): Promise<AddReport>;
  search(query: string | import('./types.js').ImageInput | Float32Array, options?: LibrarySearchOptions): Promise<LibraryHit[]>;
  tag(labels: string[], options?: LibraryTagOptions): Promise<Record<string, Score[]>>;
  get(id: string): Promise<LibraryPhoto | undefined>;
  list(options?: { offset?: number; limit?: number }): Promise<LibraryPhoto[]>;
  remove(ids: string[]): Promise<number>;
  clear(): Promise<void>;
  usage(): Promise<LibraryUsage>;
  /** One `.safetensors` file: tensor `embeddings` F32 [N, D] (raw features) + metadata (format, model, ids, names). */
  export(): Promise<Blob>;
  import(file: Blob, options?: { onProgress?: (p: LibraryProgress) => void }): Promise<number>;
}
