/** What crosses between the page's PhotoLibrary and the engine's library code (structured-clonable). */
import type { SerializedSiglipError } from '../errors.js';
import type { LibraryHit, LibraryPhoto, LibraryUsage } from '../library-types.js';
import type { Score } from '../types.js';
import type { WireImage } from './engine-protocol.js';

export interface LibraryItemWire {
  readonly blob: Blob;
  readonly name?: string;
  readonly id?: string;
  readonly type: string;
  readonly lastModified?: number;
}

export type LibraryItemOutcome =
  | { readonly status: 'added' | 'skipped'; readonly id: string }
  | { readonly status: 'failed'; readonly error: SerializedSiglipError };

export type LibraryQueryWire =
  | { readonly kind: 'text'; readonly text: string; readonly template: string | false | null }
  | { readonly kind: 'image'; readonly image: WireImage }
  | { readonly kind: 'vector'; readonly vector: Float32Array };

export type LibraryOp =
  | { readonly op: 'open' }
  | { readonly op: 'count' }
  | { readonly op: 'add'; readonly items: LibraryItemWire[] }
  | { readonly op: 'search'; readonly query: LibraryQueryWire; readonly k: number }
  | { readonly op: 'tag'; readonly labels: string[]; readonly template: string | null; readonly threshold: number | null; readonly topk: number | null; readonly ids: string[] | null }
  | { readonly op: 'get'; readonly id: string }
  | { readonly op: 'list'; readonly offset: number; readonly limit: number }
  | { readonly op: 'remove'; readonly ids: string[] }
  | { readonly op: 'clear' }
  | { readonly op: 'usage' }
  | { readonly op: 'export' }
  | { readonly op: 'import'; readonly file: Blob };

export interface LibraryResults {
  open: number;
  count: number;
  add: LibraryItemOutcome[];
  search: LibraryHit[];
  tag: Record<string, Score[]>;
  get: LibraryPhoto | null;
  list: LibraryPhoto[];
  remove: number;
  clear: null;
  usage: LibraryUsage;
  export: Blob;
  import: number;
}

export type LibraryResult<O extends LibraryOp> = LibraryResults[O['op']];
