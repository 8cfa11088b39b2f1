/**
 * Turns what add() accepts (a File/Blob, { blob, name, id }, sync or async iterables of those, or a
 * directory handle) into one stream of items, with the total when it is known up front.
 */
import type { LibraryItemWire } from '../../protocol/library-wire.js';
import { SiglipError } from '../../errors.js';
import type { LibrarySource } from '../../library-types.js';

export type SourceEntry = { readonly item: LibraryItemWire } | { readonly name?: string; readonly error: SiglipError };

export interface SourceStream {
  readonly total?: number;
  readonly entries: AsyncIterable<SourceEntry>;
}

type AddInput = LibrarySource | Iterable<LibrarySource> | AsyncIterable<LibrarySource> | FileSystemDirectoryHandle;

interface DirectoryLike {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<FileSystemHandle>;
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function isDirectory(value: unknown): value is DirectoryLike {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'directory' && typeof (value as { values?: unknown }).values === 'function';
}

/** One source → item, or a typed error naming it (never throws: a bad entry must not stop the job). */
export function toItem(source: unknown, index: number): SourceEntry {
  if (isBlob(source)) {
    const file = source as Partial<File>;
    return {
      item: {
        blob: source,
        type: source.type,
        ...(typeof file.name === 'string' ? { name: file.name } : {}),
        ...(typeof file.lastModified === 'number' ? { lastModified: file.lastModified } : {}),
      },
    };
  }
  if (typeof source === 'object' && source !== null && isBlob((source as { blob?: unknown }).blob)) {
    const s = source as { blob: Blob; name?: unknown; id?: unknown };
    const name = typeof s.name === 'string' ? s.name : typeof (s.blob as Partial<File>).name === 'string' ? (s.blob as File).name : undefined;
    if (s.id !== undefined && (typeof s.id !== 'string' || s.id.length === 0)) {
      return { ...(name !== undefined ? { name } : {}), error: new SiglipError('INVALID_INPUT', `Source #${index}: id must be a non-empty string`) };
    }
    const lastModified = (s.blob as Partial<File>).lastModified;
    return {
      item: {
        blob: s.blob, type: s.blob.type,
        ...(name !== undefined ? { name } : {}),
        ...(typeof s.id === 'string' ? { id: s.id } : {}),
        ...(typeof lastModified === 'number' ? { lastModified } : {}),
      },
    };
  }
  return { error: new SiglipError('INVALID_INPUT', `Source #${index} is ${describe(source)}; pass a File, a Blob or { blob, name?, id? }`) };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 60))} (URLs are not sources: fetch them into Blobs)`;
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'an object';
}

/** Files under a directory, depth first, with their relative paths as names. */
async function walkDirectory(dir: DirectoryLike, prefix: string, out: { path: string; handle: FileSystemFileHandle }[]): Promise<void> {
  const children: FileSystemHandle[] = [];
  for await (const child of dir.values()) children.push(child);
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    if (child.kind === 'file') out.push({ path: `${prefix}${child.name}`, handle: child as FileSystemFileHandle });
    else if (isDirectory(child)) await walkDirectory(child, `${prefix}${child.name}/`, out);
  }
}

export async function sourceStream(input: AddInput): Promise<SourceStream> {
  if (isDirectory(input)) {
    const files: { path: string; handle: FileSystemFileHandle }[] = [];
    await walkDirectory(input, '', files);
    return {
      total: files.length,
      entries: (async function* () {
        for (const f of files) {
          try {
            const file = await f.handle.getFile();
            yield { item: { blob: file, type: file.type, name: f.path, lastModified: file.lastModified } };
          } catch (err) {
            yield { name: f.path, error: SiglipError.wrap('IMAGE_FETCH', `Could not read ${f.path}`, err) };
          }
        }
      })(),
    };
  }
  if (isBlob(input) || (typeof input === 'object' && input !== null && 'blob' in input)) {
    return { total: 1, entries: (async function* () { yield toItem(input, 0); })() };
  }
  if (typeof input === 'object' && input !== null && Symbol.iterator in input) {
    const list = Array.from(input as Iterable<unknown>);
    return { total: list.length, entries: (async function* () { for (let i = 0; i < list.length; i++) yield toItem(list[i], i); })() };
  }
  if (typeof input === 'object' && input !== null && Symbol.asyncIterator in input) {
    const iterable = input as AsyncIterable<unknown>;
    return {
      entries: (async function* () {
        let i = 0;
        for await (const source of iterable) yield toItem(source, i++);
      })(),
    };
  }
  throw new SiglipError('INVALID_INPUT', `add(): expected a File/Blob, { blob, name?, id? }, an array or (async) iterable of those, or a directory handle; got ${describe(input)}`);
}
