import { SiglipError } from '../errors.js';

/**
 * Random (or forward-only) access to the bytes of one file. `read` returns exactly `length` bytes
 * unless the file ends first; a short result is how callers detect truncation, so sources must not
 * pad or throw at EOF.
 */
export interface ByteSource {
  /** Total size when known (Content-Range / Content-Length / buffer length). */
  readonly size?: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * True when offsets must never go backwards (a plain HTTP body). Walkers use it to skip
   * strategies that need to look ahead, such as probing the end of the file.
   */
  readonly forwardOnly?: boolean;
  /** Whether `read(offset, length)` would be answered without a network request. */
  isCached?(offset: number, length: number): boolean;
  /** Releases the connection; called as soon as the walker has what it needs. */
  close?(): Promise<void>;
}

export interface ByteSourceStats {
  requests: number;
  bytesFetched: number;
}

export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length))),
    isCached: () => true,
  };
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0].length === total) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p.subarray(0, Math.min(p.length, total - at)), at);
    at += p.length;
    if (at >= total) break;
  }
  return out;
}

/**
 * A response body read once, front to back. Only the bytes at or after the latest read offset are
 * kept, so skipping an 800 MB weight costs bandwidth but no memory.
 */
export class StreamSource implements ByteSource {
  readonly forwardOnly = true;
  readonly size?: number;
  private readonly chunks: Uint8Array[] = [];
  private base = 0;
  private buffered = 0;
  private done = false;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    size: number | undefined,
    readonly stats: ByteSourceStats,
  ) {
    if (size !== undefined) this.size = size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < this.base) {
      throw new SiglipError('INTERNAL', `stream source read backwards (${offset} < ${this.base})`);
    }
    this.discardBefore(offset);
    while (this.base + this.buffered < offset + length && !this.done) {
      const { done, value } = await this.reader.read();
      if (done) {
        this.done = true;
        break;
      }
      this.stats.bytesFetched += value.length;
      this.chunks.push(value);
      this.buffered += value.length;
      this.discardBefore(offset);
    }
    const available = Math.max(0, Math.min(length, this.base + this.buffered - offset));
    if (available === 0) return new Uint8Array(0);
    const skip = offset - this.base;
    const parts: Uint8Array[] = [];
    let need = available + skip;
    for (const c of this.chunks) {
      parts.push(c);
      need -= c.length;
      if (need <= 0) break;
    }
    const joined = concat(parts, skip + available);
    return joined.subarray(skip, skip + available);
  }

  private discardBefore(offset: number): void {
    while (this.chunks.length > 0 && this.base + this.chunks[0].length <= offset) {
      const c = this.chunks.shift() as Uint8Array;
      this.base += c.length;
      this.buffered -= c.length;
    }
    // Nothing buffered: the next chunk starts at the end of what was consumed so far.
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.reader.cancel().catch(() => undefined);
  }
}

export interface HttpSourceOptions {
  fetch?: typeof fetch;
  /** Cache granularity; small enough that a jump to a tensor header costs little. */
  blockSize?: number;
  /** Upper bound of the cache; sequential scans evict old blocks. */
  maxCachedBlocks?: number;
  /** Sequential misses double the request size up to this many blocks (fewer round trips). */
  maxReadaheadBlocks?: number;
  signal?: AbortSignal;
}

export class HttpNotFoundError extends Error {
  constructor(readonly url: string, readonly status: number) {
    super(`HTTP ${status} for ${url}`);
  }
}

const DEFAULT_BLOCK = 64 * 1024;

/** HTTP source using `Range: bytes=a-b`, caching fixed-size aligned blocks. */
export class RangeSource implements ByteSource {
  readonly forwardOnly = false;
  private readonly blocks = new Map<number, Uint8Array>();
  private lastMissEnd = -1;
  private readahead = 1;

  constructor(
    private readonly url: string,
    readonly size: number,
    private readonly fetchImpl: typeof fetch,
    private readonly blockSize: number,
    private readonly maxBlocks: number,
    private readonly maxReadahead: number,
    readonly stats: ByteSourceStats,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** Seeds the cache with the body of the probing request so it is not fetched twice. */
  store(firstBlock: number, bytes: Uint8Array): void {
    for (let i = 0; i * this.blockSize < bytes.length; i++) {
      this.put(firstBlock + i, bytes.subarray(i * this.blockSize, (i + 1) * this.blockSize));
    }
    this.lastMissEnd = firstBlock + Math.ceil(bytes.length / this.blockSize);
  }

  isCached(offset: number, length: number): boolean {
    const end = Math.min(offset + length, this.size);
    for (let b = Math.floor(offset / this.blockSize); b * this.blockSize < end; b++) if (!this.blocks.has(b)) return false;
    return true;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.size);
    if (offset >= end) return new Uint8Array(0);
    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((end - 1) / this.blockSize);
    let b = first;
    while (b <= last) {
      if (this.blocks.has(b)) {
        b++;
        continue;
      }
      let runEnd = b;
      while (runEnd + 1 <= last && !this.blocks.has(runEnd + 1)) runEnd++;
      // A miss right after the previous miss is a scan: grow the request so a long run of
      // node headers costs a handful of round trips instead of one per 64 KiB.
      this.readahead = b === this.lastMissEnd ? Math.min(this.readahead * 2, this.maxReadahead) : 1;
      const lastBlock = Math.floor((this.size - 1) / this.blockSize);
      const want = Math.min(b + this.readahead - 1, lastBlock);
      while (runEnd < want && !this.blocks.has(runEnd + 1)) runEnd++;
      await this.fetchBlocks(b, runEnd);
      this.lastMissEnd = runEnd + 1;
      b = runEnd + 1;
    }
    const parts: Uint8Array[] = [];
    for (let i = first; i <= last; i++) {
      const blk = this.blocks.get(i);
      if (blk === undefined) throw new SiglipError('INTERNAL', `block ${i} evicted while reading ${this.url}`);
      // Refresh LRU position.
      this.blocks.delete(i);
      this.blocks.set(i, blk);
      parts.push(blk);
    }
    const skip = offset - first * this.blockSize;
    if (parts.length === 1) return parts[0].subarray(skip, skip + (end - offset));
    return concat(parts, skip + (end - offset)).subarray(skip);
  }

  private async fetchBlocks(from: number, to: number): Promise<void> {
    const start = from * this.blockSize;
    const stop = Math.min((to + 1) * this.blockSize, this.size) - 1;
    this.stats.requests++;
    const res = await this.fetchImpl(this.url, { headers: { Range: `bytes=${start}-${stop}` }, signal: this.signal });
    let bytes: Uint8Array;
    if (res.status === 206) {
      bytes = new Uint8Array(await res.arrayBuffer());
      this.stats.bytesFetched += bytes.length;
    } else if (res.status === 200 && res.body !== null) {
      // A server (or CDN node) that ignores Range on a later request: take the slice from the
      // full body and hang up instead of failing the whole read.
      const stream = new StreamSource(res.body.getReader(), this.size, this.stats);
      bytes = (await stream.read(start, stop - start + 1)).slice();
      await stream.close();
    } else {
      throw new Error(`HTTP ${res.status} for range ${start}-${stop} of ${this.url}`);
    }
    if (bytes.length !== stop - start + 1) {
      throw new Error(`short range response for ${this.url}: wanted ${stop - start + 1} bytes at ${start}, got ${bytes.length}`);
    }
    this.store(from, bytes);
  }

  private put(index: number, bytes: Uint8Array): void {
    this.blocks.delete(index);
    this.blocks.set(index, bytes);
    while (this.blocks.size > this.maxBlocks) {
      const oldest = this.blocks.keys().next().value as number;
      this.blocks.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.blocks.clear();
  }
}

function totalFromContentRange(header: string | null): number | undefined {
  const m = header === null ? null : /\/\s*(\d+)\s*$/.exec(header);
  return m === null ? undefined : Number(m[1]);
}

export type HttpByteSource = RangeSource | StreamSource;

/**
 * Opens `url` with a first ranged request. 206 → random access with a block cache; 200 → the
 * server ignored Range, so the body already in flight becomes a forward-only stream (one transfer,
 * cancelled as soon as the caller closes it). 404/410 → {@link HttpNotFoundError}.
 */
export async function openHttpSource(url: string, opts: HttpSourceOptions = {}): Promise<HttpByteSource> {
  const impl = opts.fetch ?? globalThis.fetch;
  // Called as a plain function: a fetch stored on an object and invoked as a method throws
  // "Illegal invocation" in browsers.
  const fetchImpl: typeof fetch = (input, init) => impl(input, init);
  const blockSize = opts.blockSize ?? DEFAULT_BLOCK;
  const stats: ByteSourceStats = { requests: 1, bytesFetched: 0 };
  const res = await fetchImpl(url, { headers: { Range: `bytes=0-${blockSize - 1}` }, signal: opts.signal });
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel().catch(() => undefined);
    throw new HttpNotFoundError(url, res.status);
  }
  if (res.status === 416) {
    // Only an empty file cannot satisfy bytes=0-…
    const empty = new RangeSource(url, 0, fetchImpl, blockSize, 1, 1, stats, opts.signal);
    return empty;
  }
  if (res.status === 206) {
    const size = totalFromContentRange(res.headers.get('Content-Range'));
    if (size === undefined) throw new Error(`206 without a total size in Content-Range for ${url}`);
    const first = new Uint8Array(await res.arrayBuffer());
    stats.bytesFetched += first.length;
    const src = new RangeSource(url, size, fetchImpl, blockSize, opts.maxCachedBlocks ?? 128, opts.maxReadaheadBlocks ?? 16, stats, opts.signal);
    src.store(0, first);
    return src;
  }
  if (res.ok && res.body !== null) {
    const encoded = (res.headers.get('Content-Encoding') ?? 'identity') !== 'identity';
    const length = res.headers.get('Content-Length');
    const size = !encoded && length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    return new StreamSource(res.body.getReader(), size, stats);
  }
  await res.body?.cancel().catch(() => undefined);
  throw new Error(`HTTP ${res.status} for ${url}`);
}
