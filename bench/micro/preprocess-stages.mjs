#!/usr/bin/env node
/**
 * Per-stage timing of library preprocessing for one 12 MP phone photo, in Chromium, inside a worker
 * (like src/worker/preprocess-worker.ts): sha-256 id, blob read, decode, RGBA->RGB, EXIF copy,
 * horizontal/vertical resample, normalization, and preparePixels end to end.
 *   node bench/micro/preprocess-stages.mjs [--photos /tmp/siglip-bench-photos] [--rounds 3] [--size 4032x3024]
 * Photos come from bench/make-photos.sh; each base photo gets an EXIF orientation 1/6/3/8 segment.
 */
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const photosDir = opt('photos', '/tmp/siglip-bench-photos');
const rounds = Number(opt('rounds', 3));
const size = opt('size', '4032x3024');
const here = fileURLToPath(new URL('.', import.meta.url));

const bundle = await build({ entryPoints: [join(here, 'preprocess-stages-worker.ts')], bundle: true, format: 'esm', write: false, target: 'es2022' });
const workerJs = bundle.outputFiles[0].text;
const files = readdirSync(photosDir).filter((f) => f.startsWith(`photo_${size}_`)).sort().slice(0, 4);
if (files.length === 0) throw new Error(`no photo_${size}_*.jpg in ${photosDir} (run bench/make-photos.sh)`);
const ORIENTATIONS = [1, 6, 3, 8];

const page = `<!doctype html><meta charset="utf-8"><script type="module">
function exif(o) { return new Uint8Array([0xff,0xe1,0x00,0x22,0x45,0x78,0x69,0x66,0,0,0x4d,0x4d,0,0x2a,0,0,0,8,0,1,1,0x12,0,3,0,0,0,1,0,o,0,0,0,0,0,0]); }
window.runStages = async (names, orientations, rounds) => {
  const blobs = [];
  for (let i = 0; i < names.length; i++) {
    const base = new Uint8Array(await (await fetch('/photo/' + names[i])).arrayBuffer());
    blobs.push(new Blob([base.slice(0, 2), exif(orientations[i]), base.slice(2)], { type: 'image/jpeg' }));
  }
  const w = new Worker('/worker.js', { type: 'module' });
  return await new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); w.postMessage({ blobs, orientations, rounds }); });
};
</script>`;
const server = createServer((req, res) => {
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  if (req.url === '/worker.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(workerJs);
  const m = /^\/photo\/([\w.]+)$/.exec(req.url ?? '');
  if (m && existsSync(join(photosDir, m[1]))) return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(readFileSync(join(photosDir, m[1])));
  res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const browser = await chromium.launch({ executablePath, args: ARGS, headless: true });
const load0 = loadavg()[0];
try {
  const p = await browser.newPage();
  await p.goto(`http://127.0.0.1:${port}/`);
  const result = await p.evaluate(([n, o, r]) => window.runStages(n, o, r), [files, files.map((_, i) => ORIENTATIONS[i % 4]), rounds]);
  if (result.error) throw new Error(result.error);
  // Drop round 0 (JIT warm-up) when there are more rounds.
  const rows = result.all.filter((row) => rounds === 1 || row.round > 0);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'round' && k !== 'orientation');
  console.log(`${size}, ${rows.length} photo runs (orientations ${ORIENTATIONS.join('/')}), Chromium ${browser.version()}, load avg ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
  console.log('stage'.padEnd(52) + 'median ms'.padStart(10) + 'o=1'.padStart(8) + 'o=6'.padStart(8) + 'o=3'.padStart(8) + 'o=8'.padStart(8));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
  for (const k of keys) {
    const vals = rows.filter((r) => k in r).map((r) => r[k]);
    const by = ORIENTATIONS.map((o) => median(rows.filter((r) => r.orientation === o && k in r).map((r) => r[k])));
    const f = (x) => (Number.isNaN(x) ? '-' : x.toFixed(k.includes('==') || k.includes(' is ') ? 0 : 1));
    console.log(k.padEnd(52) + f(median(vals)).padStart(10) + by.map((x) => f(x).padStart(8)).join(''));
  }
} finally {
  await browser.close();
  server.close();
}
