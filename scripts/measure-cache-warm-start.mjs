#!/usr/bin/env node
/**
 * Warm start from our IndexedDB cache, measured (not a test): node scripts/measure-cache-warm-start.mjs [--runs 5] [--big-mb 256]
 * Needs `npm run build` first. Prints a JSON summary.
 *
 * 1. End to end: page load → createSiglip → first classify result, on a relaunched browser with the
 *    same profile (a real second visit), model folder and /dist/ort blocked; counts requests.
 * 2. The only part that differs from transformers.js' default Cache API backend is reading the
 *    stored bytes: same files (and one big synthetic weight) stored in IndexedDB (Blob) and in the
 *    Cache API, read back after a relaunch, both ways, alternating.
 */
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './serve.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 5);
const BIG_MB = opt('--big-mb', 256);
const PORT = opt('--port', 4268);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const MODEL = `${ORIGIN}/test/fixtures/siglip-shapes/`;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const requests = [];
const server = await startServer({ port: PORT, onRequest: (r) => requests.push(r) });
const profile = mkdtempSync(join(tmpdir(), 'siglip-measure-'));
const isModelOrRuntime = (p) => p.startsWith('/test/fixtures/siglip-shapes/') || p.startsWith('/dist/ort/');

async function open(block) {
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: ARGS });
  if (block) await context.route((u) => isModelOrRuntime(u.pathname), (r) => r.abort('internetdisconnected'));
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Page load → first classify result, in ms. */
async function startToFirstResult(page, cache) {
  const t0 = Date.now();
  await page.goto(`${ORIGIN}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
  const inPage = await page.evaluate(async ({ model, cache }) => {
    const t = performance.now();
    const s = await window.SiglipWeb.createSiglip({ model, device: 'wasm', cache });
    const loaded = performance.now();
    await s.classify(window.harness.fixture('reference/images/chelsea_cat.png'), ['a cat', 'a dog']);
    const done = performance.now();
    await s.dispose();
    return { load: loaded - t, classify: done - loaded };
  }, { model: MODEL, cache });
  return { total: Date.now() - t0, ...inPage };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = { runs: RUNS };

// Cold: first visit fills the cache.
{
  const { context, page } = await open(false);
  out.coldFirstVisit = await startToFirstResult(page, 'indexeddb');
  await context.close();
}
// Warm, ours, offline for model + runtime.
{
  const samples = [];
  const mark = requests.length;
  for (let i = 0; i < RUNS; i++) {
    const { context, page } = await open(true);
    samples.push(await startToFirstResult(page, 'indexeddb'));
    await context.close();
  }
  out.warmIndexedDb = { medianTotalMs: median(samples.map((s) => s.total)), medianLoadMs: median(samples.map((s) => s.load)), samples };
  out.warmModelOrRuntimeRequests = requests.slice(mark).filter((r) => isModelOrRuntime(r.path)).length;
}
// Warm, cache: 'none' over localhost (the floor any cache competes with here).
{
  const samples = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const { context, page } = await open(false);
    samples.push(await startToFirstResult(page, 'none'));
    await context.close();
  }
  out.noCacheLocalhost = { medianTotalMs: median(samples.map((s) => s.total)) };
}

// Storage layer: the same bytes from IndexedDB vs the Cache API.
{
  const { context, page } = await open(false);
  await page.goto(`${ORIGIN}/test/browser/pages/harness.html`);
  out.cacheApiPutFailures = await page.evaluate(async (bigMb) => {
    const failures = [];
    const put = (cacheApi, url, response) => cacheApi.put(url, response).then(() => true, (e) => (failures.push(`${url}: ${e.message}`), false));
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('siglip-web-cache'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const tx = (mode) => db.transaction('entries', mode).objectStore('entries');
    const keys = await new Promise((ok) => { const r = tx('readonly').getAllKeys(); r.onsuccess = () => ok(r.result); });
    const cacheApi = await caches.open('transformers-cache');
    for (const k of keys.filter((k) => k.startsWith('body:'))) {
      const blob = await new Promise((ok) => { const r = tx('readonly').get(k); r.onsuccess = () => ok(r.result); });
      if (!(await put(cacheApi, k.slice(5), new Response(blob)))) await put(cacheApi, k.slice(5), new Response(await blob.arrayBuffer()));
    }
    // A realistically large weight file, in both stores.
    const big = new Uint8Array(bigMb * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 255;
    const url = `${location.origin}/synthetic/big_model.onnx`;
    await new Promise((ok, fail) => { const r = tx('readwrite').put(new Blob([big]), `bench-body:${url}`); r.onsuccess = ok; r.onerror = () => fail(r.error); });
    // transformers.js stores `new Response(uint8array)`; Chromium refuses that at this size (see cacheApiPutFailures).
    await put(cacheApi, url, new Response(big));
    if (!(await cacheApi.match(url))) await put(cacheApi, url, new Response(new Blob([big])));
    db.close();
    return failures;
  }, BIG_MB);
  await context.close();
  if (out.cacheApiPutFailures.length) console.error('Cache API put failures:', out.cacheApiPutFailures);

  const read = { idbModel: [], cacheApiModel: [], idbBig: [], cacheApiBig: [] };
  for (let i = 0; i < RUNS; i++) {
    const { context, page } = await open(false);
    await page.goto(`${ORIGIN}/test/browser/pages/harness.html`);
    const r = await page.evaluate(async (order) => {
      const db = await new Promise((ok) => { const q = indexedDB.open('siglip-web-cache'); q.onsuccess = () => ok(q.result); });
      const get = (k) => new Promise((ok) => { const q = db.transaction('entries', 'readonly').objectStore('entries').get(k); q.onsuccess = () => ok(q.result); });
      const keys = await new Promise((ok) => { const q = db.transaction('entries', 'readonly').objectStore('entries').getAllKeys(); q.onsuccess = () => ok(q.result); });
      const model = keys.filter((k) => k.startsWith('body:')).map((k) => k.slice(5));
      const big = `${location.origin}/synthetic/big_model.onnx`;
      const cacheApi = await caches.open('transformers-cache');
      const time = async (fn) => { const t = performance.now(); let n = 0; for (const x of await fn()) n += x; return { ms: performance.now() - t, bytes: n }; };
      const missing = (what) => { throw new Error(`${what} is not stored`); };
      const idb = (urls, prefix) => time(() => Promise.all(urls.map(async (u) => (await ((await get(`${prefix}${u}`)) ?? missing(`IndexedDB ${prefix}${u}`)).arrayBuffer()).byteLength)));
      const ca = (urls) => time(() => Promise.all(urls.map(async (u) => (await ((await cacheApi.match(u)) ?? missing(`Cache API ${u}`)).arrayBuffer()).byteLength)));
      const res = {};
      for (const which of order) {
        if (which === 'idb') { res.idbModel = await idb(model, 'body:'); res.idbBig = await idb([big], 'bench-body:'); }
        else {
          res.cacheApiModel = await ca(model);
          // Absent when Chromium refused to store it (reported in cacheApiPutFailures).
          res.cacheApiBig = (await cacheApi.match(big)) ? await ca([big]) : { ms: NaN, bytes: 0 };
        }
      }
      return res;
    }, i % 2 ? ['cache', 'idb'] : ['idb', 'cache']);
    for (const k of Object.keys(read)) read[k].push(r[k].ms);
    out.readBytes = { model: r.idbModel.bytes, big: r.idbBig.bytes };
    await context.close();
  }
  out.storageReadMedianMs = Object.fromEntries(Object.entries(read).map(([k, v]) => [k, Math.round(median(v))]));
  out.storageReadRatio = {
    model: +(median(read.idbModel) / median(read.cacheApiModel)).toFixed(2),
    big: Number.isNaN(median(read.cacheApiBig)) ? 'Cache API could not store it' : +(median(read.idbBig) / median(read.cacheApiBig)).toFixed(2),
  };
}

console.log(JSON.stringify(out, null, 2));
server.close();
rmSync(profile, { recursive: true, force: true });
