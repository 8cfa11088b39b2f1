#!/usr/bin/env node
/**
 * Below the floor: how fast can the vision tower go on WASM here, and what does it cost in accuracy?
 * Raw session.run (transformers.js SiglipVisionModel, main thread, same page) per dtype, batch 1 vs 8,
 * interleaved; accuracy = cosine of pooler_output vs fp32 on the same image.
 *   node bench/explore.mjs [--model DIR] [--threads 2] [--runs 3] [--dtypes fp32,q8,fp16] [--port 4198]
 * Writes bench/results/explore.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (n, d) => (argv.includes(`--${n}`) ? argv[argv.indexOf(`--${n}`) + 1] : d);
const threads = Number(opt('threads', 2));
const runs = Number(opt('runs', 3));
const dtypes = opt('dtypes', 'fp32,q8,fp16').split(',');
const port = Number(opt('port', 4198));
if (!existsSync(join(here, 'models/current/config.json'))) { console.error('run bench/run.mjs once first (it mounts the model at bench/models/current)'); process.exit(2); }
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const cos = (a, b) => { let d = 0, x = 0, y = 0; for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; x += a[i] ** 2; y += b[i] ** 2; } return d / Math.sqrt(x * y); };

const server = await startServer({ port });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
const out = { date: new Date().toISOString(), cpus: cpus().length, loadavgAtStart: loadavg(), browser: browser.version(), threads, results: {} };
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`http://127.0.0.1:${port}/coi/bench/page.html`);
  await page.waitForFunction(() => window.benchReady === true);
  const run = (n, a) => page.evaluate(([x, y]) => window.bench.run(x, y), [n, a]);
  await run('makeImages', { n: 8 });
  const variants = dtypes.map((d) => ({ dtype: d }));
  // Thread-pool spinning off: matters when the cores are shared (2 cores, other load).
  variants.push({ dtype: 'q8', sessionOptions: { extra: { session: { intra_op: { allow_spinning: '0' } } } }, name: 'q8+no-spin' });
  const keys = [];
  for (const v of variants) {
    const r = await run('loadVision', { dtype: v.dtype, threads, sessionOptions: v.sessionOptions });
    keys.push({ key: r.key, name: v.name ?? v.dtype });
    await run('visionRun', { key: r.key, batch: 1 }); // warm-up
    console.log(`loaded ${v.name ?? v.dtype} in ${r.loadMs.toFixed(0)} ms`);
  }
  const t = Object.fromEntries(keys.map((k) => [k.name, { b1: [], b8: [], first: null }]));
  for (let i = 0; i < runs; i++) {
    for (const k of i % 2 ? [...keys].reverse() : keys) {
      const a = await run('visionRun', { key: k.key, img: 0, batch: 1 });
      t[k.name].b1.push(a.ms);
      t[k.name].first ??= a.first;
      t[k.name].b8.push((await run('visionRun', { key: k.key, img: 0, batch: 8 })).perImage);
    }
    console.log(`run ${i + 1}/${runs}`, Object.fromEntries(Object.entries(t).map(([n, v]) => [n, `${v.b1.at(-1).toFixed(0)} / ${v.b8.at(-1).toFixed(0)} ms`])));
  }
  const ref = t.fp32?.first;
  for (const [n, v] of Object.entries(t)) {
    out.results[n] = { batch1Ms: median(v.b1), batch8PerImageMs: median(v.b8), samplesB1: v.b1.map(Math.round), samplesB8: v.b8.map(Math.round), cosineVsFp32: ref ? cos(v.first, ref) : null };
  }
} finally {
  out.loadavgAtEnd = loadavg();
  await browser.close();
  server.close();
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'explore.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out.results, null, 2));
