/**
 * A plain static host over one or more folders (first match wins), like copying them into one
 * web root. No SPA fallback: a missing file is a 404, as on most static hosts.
 *   node test/apps/static-server.mjs <port> <dir> [<dir>…]
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml', '.onnx': 'application/octet-stream',
};

export function serveStatic(port, roots) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const rel = normalize(path).replace(/^(\.\.[/\\])+/, '');
    for (const root of roots) {
      const file = join(root, rel);
      try {
        const st = statSync(file);
        if (!st.isFile()) continue;
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': st.size });
        createReadStream(file).pipe(res);
        return;
      } catch { /* next root */ }
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, ...roots] = process.argv.slice(2);
  await serveStatic(Number(port), roots);
  console.log(`serving ${roots.join(', ')} on http://127.0.0.1:${port}/`);
}
