#!/usr/bin/env node
/**
 * Static server for the demo, the examples and the browser tests. Serves the repository root.
 *   /coi/<path>   same file, with COOP/COEP so the page is cross-origin isolated (threaded WASM)
 *   Range requests (the SDK reads logit_scale/logit_bias from model.onnx without downloading it)
 * Usage: node scripts/serve.mjs [--port 4173] [--demo]
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] || process.env.PORT || 4173);
const demo = args.includes('--demo');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml', '.map': 'application/json',
  '.bin': 'application/octet-stream', '.txt': 'text/plain',
};

export function startServer({ port: p = port, host = '127.0.0.1' } = {}) {
  const server = createServer((req, res) => {
    let url = new URL(req.url ?? '/', 'http://x');
    let path = decodeURIComponent(url.pathname);
    const headers = { 'Cache-Control': 'no-cache', 'Accept-Ranges': 'bytes', 'Cross-Origin-Resource-Policy': 'same-origin' };
    if (path.startsWith('/coi/')) {
      path = path.slice(4);
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (path === '/') path = demo ? '/demo/index.html' : '/index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    let target = file;
    if (statSync(target).isDirectory()) target = join(target, 'index.html');
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
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(target).pipe(res);
  });
  return new Promise((ok) => server.listen(p, host, () => ok(server)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await startServer();
  console.log(`siglip-web: serving ${root} at http://127.0.0.1:${port}/${demo ? ' (demo)' : ''}`);
  if (demo) console.log(`open http://127.0.0.1:${port}/demo/  (cross-origin isolated: http://127.0.0.1:${port}/coi/demo/)`);
}
