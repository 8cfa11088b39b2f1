import { chromium } from '@playwright/test';
import { startServer } from './scripts/serve.mjs';
const log = [];
const server = await startServer({ port: 4266, onRequest: (r) => log.push(r.method + " " + r.path + (r.range ? " [range]" : "")) });
const dir = '/tmp/pwcheck/p' + Date.now();
for (const round of [1, 2]) {
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu'] });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('console', (m) => console.log('[page]', m.text().slice(0, 300)));
  const mark = log.length;
  await page.goto('http://127.0.0.1:4266/test/browser/pages/harness.html');
  await page.waitForFunction(() => window.harnessReady === true);
  const r = await page.evaluate(async () => {
    const ev = [];
    try { const s = await SiglipWeb.createSiglip({ model: 'http://127.0.0.1:4266/test/fixtures/siglip-shapes/', device: 'wasm', onProgress: (p) => { if (p.status !== 'progress') ev.push(p.status + ' ' + p.file + ' ' + (p.source ?? '') + (p.warning ? JSON.stringify(p.warning) : '')); } });
      await s.dispose(); return { ok: true, ev }; } catch (e) { return { ok: false, m: e.message, ev }; }
  });
  console.log(round, JSON.stringify(r, null, 1));
  console.log(log.slice(mark).filter(p => !p.includes('harness')).join('\n'));
  await ctx.close();
}
server.close();
