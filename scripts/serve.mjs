#!/usr/bin/env node
/**
 * Static server for the demo, the examples and the browser tests. Serves the repository root.
 *   /coi/<path>   same file, with COOP/COEP so the page is cross-origin isolated (threaded WASM)
 *   /csp/<path>   same file, under a strict Content-Security-Policy (no inline script, no eval)
 *   Range requests (the SDK reads logit_scale/logit_bias from model.onnx without downloading it)
 *   /__fault/<kind>/<path>   same file with an injected fault on full (non-Range) GETs, for cache tests:
 *     cut-once/<id>/  the first download of each .onnx file under this id stops halfway (socket destroyed)
 *     html/           .onnx files answer 200 text/html (a login page)
 *     sha256/         adds ETag: "<sha256 of the file>" (as the Hugging Face hub does for LFS files)
 *     bad-sha256/     adds an ETag that is a wrong sha256
 * Usage: node scripts/serve.mjs [--port 4173] [--demo]
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const portArg = args.includes('--port') ? args[args.indexOf('--port') + 1] : undefined;
const port = Number(portArg ?? process.env.PORT ?? 4173);
const demo = args.includes('--demo');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml', '.map': 'application/json',
  '.bin': 'application/octet-stream', '.txt': 'text/plain',
};

const cutDone = new Set();
const sha256Of = new Map();

/** Strips a /__fault/<kind>/ prefix; returns the fault to apply (or null) and the real path. */
function parseFault(path) {
  const m = /^\/__fault\/(cut-once\/[\w-]+|html|sha256|bad-sha256)(\/.*)$/.exec(path);
  return m ? { kind: m[1].split('/')[0], key: m[1], path: m[2] } : { kind: null, key: null, path };
}

/**
 * @param {{ port?: number, host?: string, onRequest?: (info: { path: string, range: boolean }) => void }} [options]
 *   onRequest sees every request ({ path, method, range }) (tests count model/runtime downloads with it).
 */
export function startServer({ port: p = port, host = '127.0.0.1', onRequest } = {}) {
  const server = createServer((req, res) => {
    let url = new URL(req.url ?? '/', 'http://x');
    let path = decodeURIComponent(url.pathname);
    onRequest?.({ path, method: req.method, range: req.headers.range !== undefined });
    const fault = parseFault(path);
    path = fault.path;
    const headers = { 'Cache-Control': 'no-cache', 'Accept-Ranges': 'bytes', 'Cross-Origin-Resource-Policy': 'same-origin' };
    if (path.startsWith('/coi/')) {
      path = path.slice(4);
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (path.startsWith('/csp/')) {
      // The strict policy the SDK must work under (tests/CSP): no inline script, no eval, no blob: workers.
      path = path.slice(4);
      headers['Content-Security-Policy'] = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'";
    }
    if (demo && path === '/') {
      // The demo's relative assets only resolve under /demo/; isolated for threaded WASM.
      res.writeHead(302, { Location: '/coi/demo/' });
      res.end();
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    let target = file;
    if (statSync(target).isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        // Without the slash, the page's relative URLs would resolve one level too high.
        res.writeHead(301, { Location: `${url.pathname}/${url.search}` });
        res.end();
        return;
      }
      target = join(target, 'index.html');
    }
    if (!existsSync(target)) { res.writeHead(404); res.end('not found'); return; }
    const size = statSync(target).size;
    const type = TYPES[extname(target)] ?? 'application/octet-stream';
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` });
        res.end();
        return;
      }
      res.writeHead(206, { ...headers, 'Content-Type': type, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}` });
      if (req.method === 'HEAD') return res.end();
      createReadStream(target, { start, end }).pipe(res);
      return;
    }
    if (fault.kind === 'html' && target.endsWith('.onnx')) {
      const page = '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>';
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page) });
      return res.end(req.method === 'HEAD' ? undefined : page);
    }
    if (fault.kind === 'sha256' || fault.kind === 'bad-sha256') {
      if (!sha256Of.has(target)) sha256Of.set(target, createHash('sha256').update(readFileSync(target)).digest('hex'));
      headers.ETag = `"${fault.kind === 'sha256' ? sha256Of.get(target) : 'f'.repeat(64)}"`;
    }
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': size });
    if (req.method === 'HEAD') return res.end();
    const cutKey = `${fault.key}:${path}`;
    if (fault.kind === 'cut-once' && target.endsWith('.onnx') && !cutDone.has(cutKey)) {
      cutDone.add(cutKey);
      // Half the promised bytes, then a dead connection: what a dropped mobile link looks like.
      const stream = createReadStream(target, { start: 0, end: Math.floor(size / 2) - 1 });
      stream.on('data', (chunk) => res.write(chunk));
      stream.on('end', () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    createReadStream(target).pipe(res);
  });
  return new Promise((ok) => server.listen(p, host, () => ok(server)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await startServer();
  if (demo) console.log(`siglip-web demo: open http://127.0.0.1:${port}/coi/demo/  (serving ${root}; PORT=… or --port … to change)`);
  else console.log(`siglip-web: serving ${root} at http://127.0.0.1:${port}/`);
  if (args.includes('--examples')) {
    for (const name of ['dropin', 'react', 'vue']) console.log(`example ${name}: http://127.0.0.1:${port}/coi/examples/${name}/`);
  }
}
