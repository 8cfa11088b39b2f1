import { chromium } from '@playwright/test';
import { startServer } from './scripts/serve.mjs';
const log = [];
const server = await startServer({ port: 4267, onRequest: (r) => log.push(r.method + ' ' + r.path + (r.range ? ' [range]' : '')) });
const dir = '/tmp/pwcheck/q' + Date.now();
const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu'] });
const page = ctx.pages()[0] ?? await ctx.newPage();
page.on('console', (m) => console.log('[page]', m.text().slice(0, 300)));
await page.goto('http://127.0.0.1:4267/test/browser/pages/harness.html');
await page.waitForFunction(() => window.harnessReady === true);
const M = 'http://127.0.0.1:4267/test/fixtures/siglip-shapes/';
const load = () => page.evaluate(async (M) => {
    const ev = [];
    try { const s = await SiglipWeb.createSiglip({ model: M, device: 'wasm', onProgress: (p) => { if (p.status !== 'progress') ev.push(p.status + ' ' + p.file + ' ' + (p.source ?? '') + (p.warning ? JSON.stringify(p.warning) : '')); } });
      await s.dispose(); return { ok: true, ev }; } catch (e) { return { ok: false, m: e.message, ev }; }
  }, M);
console.log(JSON.stringify(await load()));
await page.evaluate(async (url) => {
  const db = await new Promise((ok) => { const r = indexedDB.open('siglip-web-cache'); r.onsuccess = () => ok(r.result); });
  const st = () => db.transaction('entries', 'readwrite').objectStore('entries');
  const body = await new Promise((ok) => { const r = st().get('body:' + url); r.onsuccess = () => ok(r.result); });
  const b = new Uint8Array(await body.arrayBuffer()); for (let i = 0; i < 64; i++) b[i] ^= 0xff;
  await new Promise((ok) => { const r = st().put(new Blob([b]), 'body:' + url); r.onsuccess = ok; });
}, M + 'onnx/vision_model.onnx');
const mark = log.length;
console.log(JSON.stringify(await load(), null, 1));
console.log(log.slice(mark).join('\n'));
await ctx.close(); server.close();
