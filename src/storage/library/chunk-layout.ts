/**
 * Pure row bookkeeping for embedding chunks: appending a batch to the last chunk (spilling into
 * new ones) and dropping rows. Kept free of IndexedDB so it can be unit tested.
 */
import type { ChunkRows } from './library-records.js';

export interface RowsToAppend {
  readonly ids: readonly string[];
  /** ids.length × dim float32. */
  readonly data: Float32Array;
}

export interface AppendResult {
  /** Chunks to store (the updated last chunk and any new ones). */
  readonly chunks: ChunkRows[];
  /** Chunk number of each appended row, in order. */
  readonly chunkOfRow: number[];
  readonly lastChunk: number;
}

/** Appends rows after `last` (undefined = empty library, chunk `lastChunk` starts empty). */
export function appendRows(last: ChunkRows | undefined, lastChunk: number, rows: RowsToAppend, dim: number, maxRows: number): AppendResult {
  if (rows.data.length !== rows.ids.length * dim) throw new RangeError(`appendRows: ${rows.ids.length} ids but ${rows.data.length / dim} rows of ${dim}`);
  const chunks: ChunkRows[] = [];
  const chunkOfRow: number[] = [];
  let current = last && last.chunk === lastChunk ? last : { chunk: lastChunk, ids: [], data: new ArrayBuffer(0) };
  let offset = 0;
  while (offset < rows.ids.length) {
    const room = maxRows - current.ids.length;
    if (room <= 0) {
      chunks.push(current);
      current = { chunk: current.chunk + 1, ids: [], data: new ArrayBuffer(0) };
      continue;
    }
    const take = Math.min(room, rows.ids.length - offset);
    const data = new Float32Array(current.ids.length * dim + take * dim);
    data.set(new Float32Array(current.data));
    data.set(rows.data.subarray(offset * dim, (offset + take) * dim), current.ids.length * dim);
    current = { chunk: current.chunk, ids: [...current.ids, ...rows.ids.slice(offset, offset + take)], data: data.buffer };
    for (let i = 0; i < take; i++) chunkOfRow.push(current.chunk);
    offset += take;
  }
  chunks.push(current);
  return { chunks: chunks.filter((c) => c.ids.length > 0 || c === current), chunkOfRow, lastChunk: current.chunk };
}

/** The chunk without the rows of `remove`; rows keep their order. */
export function removeRows(chunk: ChunkRows, remove: ReadonlySet<string>, dim: number): ChunkRows {
  const src = new Float32Array(chunk.data);
  const keep: number[] = [];
  chunk.ids.forEach((id, i) => {
    if (!remove.has(id)) keep.push(i);
  });
  const data = new Float32Array(keep.length * dim);
  keep.forEach((row, i) => data.set(src.subarray(row * dim, (row + 1) * dim), i * dim));
  return { chunk: chunk.chunk, ids: keep.map((i) => chunk.ids[i] as string), data: data.buffer };
}
