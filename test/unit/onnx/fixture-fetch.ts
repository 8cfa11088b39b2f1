import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const BASE_URL = 'https://models.test/';

export function fixtureBytes(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}${rel}`));
}

export function fixtureJson<T>(rel: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${rel}`, 'utf8')) as T;
}

export interface FetchLog {
  requests: number;
  /** Bytes the server actually handed to the client (pulled from the body). */
  bytesSent: number;
  ranges: string[];
  cancelled: number;
}

export interface MockServerOptions {
  honorRange: boolean;
  /** Serve only this many bytes of every file (a truncated upload / broken CDN object). */
  truncateTo?: number;
  /** Paths answered with 404 even if the fixture exists. */
  missing?: string[];
  chunkSize?: number;
}

/**
 * A fetch over the fixture folder: `${BASE_URL}<path>` → test/fixtures/<path>. With honorRange it
 * answers `Range: bytes=a-b` with 206; without it, it always sends the full body as a pull stream so
 * the test can see how much was read before the client cancelled.
 */
export function fixtureFetch(opts: MockServerOptions): { fetch: typeof fetch; log: FetchLog } {
  const log: FetchLog = { requests: 0, bytesSent: 0, ranges: [], cancelled: 0 };
  const impl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    log.requests++;
    const url = String(input);
    const rel = url.startsWith(BASE_URL) ? url.slice(BASE_URL.length) : '';
    const path = `${FIXTURES}${rel}`;
    if (rel === '' || (opts.missing ?? []).includes(rel) || !existsSync(path)) return new Response('not found', { status: 404 });
    let bytes = new Uint8Array(readFileSync(path));
    if (opts.truncateTo !== undefined) bytes = bytes.subarray(0, opts.truncateTo);
    const range = new Headers(init?.headers).get('Range');
    if (opts.honorRange && range !== null) {
      log.ranges.push(range);
      const m = /^bytes=(\d+)-(\d+)$/.exec(range);
      if (m === null) return new Response('bad range', { status: 400 });
      const a = Number(m[1]);
      if (a >= bytes.length) return new Response('', { status: 416, headers: { 'Content-Range': `bytes */${bytes.length}` } });
      const b = Math.min(Number(m[2]), bytes.length - 1);
      log.bytesSent += b - a + 1;
      return new Response(bytes.slice(a, b + 1), { status: 206, headers: { 'Content-Range': `bytes ${a}-${b}/${bytes.length}`, 'Content-Length': String(b - a + 1) } });
    }
    let at = 0;
    const chunk = opts.chunkSize ?? 16 * 1024;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) {
          controller.close();
          return;
        }
        const n = Math.min(chunk, bytes.length - at);
        controller.enqueue(bytes.slice(at, at + n));
        at += n;
        log.bytesSent += n;
      },
      cancel() {
        log.cancelled++;
      },
    }, { highWaterMark: 0 });
    return new Response(body, { status: 200, headers: { 'Content-Length': String(bytes.length) } });
  };
  return { fetch: impl as typeof fetch, log };
}
