import { chromium } from '@playwright/test';
import { startServer } from '/work/main/scripts/serve.mjs';
const server = await startServer({ port: 4263 });
const ctx = await chromium.launchPersistentContext('/tmp/pwcheck/profile', { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu'] });
const seen = [];
await ctx.route('**/*', (route) => { seen.push(route.request().url()); route.continue(); });
const page = ctx.pages()[0] ?? await ctx.newPage();
await page.goto('http://127.0.0.1:4263/test/browser/pages/harness.html');
await page.waitForFunction(() => window.harnessReady === true);
const r = await page.evaluate(async () => {
  const w = new Worker(URL.createObjectURL(new Blob([`fetch('/package.json').then(r=>postMessage(r.status))`], {type:'text/javascript'})));
  return new Promise((ok) => { w.onmessage = (e) => ok(e.data); });
});
console.log('worker fetch status', r, seen.filter(u => u.includes('package.json')));
await ctx.close(); server.close();
