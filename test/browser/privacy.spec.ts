/**
 * Privacy: while tagging local photos the browser makes no request except for the page, the SDK's
 * own files and the model files from the configured host. Checked from Chromium's own net log
 * (it sees every request, including the browser process's and the worker's, which page.on('request')
 * does not), with the browser's own background traffic pointed at a dead port.
 */
import { chromium, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

/** Every URL (and host) mentioned anywhere in the net log's events. */
function urlsInNetLog(file: string): string[] {
  const raw = readFileSync(file, 'utf8').trim();
  // A net log is valid JSON once the browser closed cleanly; tolerate a missing tail just in case.
  const log = JSON.parse(raw.endsWith('}') ? raw : `${raw.replace(/,\s*$/, '')}]}`) as { events: { params?: Record<string, unknown> }[] };
  const found = new Set<string>();
  for (const e of log.events) {
    for (const [k, v] of Object.entries(e.params ?? {})) {
      if (typeof v !== 'string') continue;
      if (k === 'url' || k === 'original_url' || k === 'location' || k === 'origin') found.add(v);
      else if (k === 'host' || k === 'hostname') found.add(`host:${v}`);
    }
  }
  return [...found];
}

test('tagging local photos requests nothing but the page, the SDK and the model files', async ({ baseURL }) => {
  const dir = mkdtempSync(join(tmpdir(), 'siglip-privacy-'));
  const netlog = join(dir, 'netlog.json');
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      `--log-net-log=${netlog}`, '--net-log-capture-mode=Default',
      '--gaia-url=http://127.0.0.1:9/', '--component-updater=url-source=http://127.0.0.1:9/',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
  });
  const origin = new URL(baseURL!).origin;
  const page = await browser.newPage();
  await page.goto(`${origin}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
  const tagged = await page.evaluate(async () => {
    const { SiglipWeb, harness } = window as unknown as { SiglipWeb: typeof import('../../src/index.js'); harness: { fixture(p: string): string } };
    const siglip = await SiglipWeb.createSiglip({ model: harness.fixture('siglip-shapes/'), device: 'wasm' });
    // "Local photos": files made on the device (as from <input type=file>), never uploaded anywhere.
    const photos: File[] = [];
    for (const [i, colour] of ['red', 'blue', 'green', 'orange'].entries()) {
      const c = new OffscreenCanvas(320, 240);
      const g = c.getContext('2d')!;
      g.fillStyle = colour;
      g.fillRect(0, 0, 320, 240);
      g.fillStyle = 'white';
      g.beginPath();
      g.arc(160, 120, 40 + i * 10, 0, Math.PI * 2);
      g.fill();
      photos.push(new File([await c.convertToBlob({ type: i % 2 ? 'image/jpeg' : 'image/png' })], `IMG_000${i}.jpg`));
    }
    const out = await siglip.classify(photos, ['a red circle', 'a blue square', 'a cat']);
    await siglip.embedImage(photos[0]!);
    await siglip.embedText('holiday photos');
    await siglip.dispose();
    return out.length;
  });
  await page.close();
  await browser.close();
  expect(tagged).toBe(4);

  const urls = urlsInNetLog(netlog);
  const allowedPaths = ['/test/browser/pages/', '/test/fixtures/siglip-shapes/', '/dist/'];
  // The browser's own sign-in and component-update pings, pointed at a dead port by the flags above.
  const SINK = 'http://127.0.0.1:9';
  const isBrowserOwn = (u: string): boolean => u.startsWith(`${SINK}/`) || u === `host:${SINK}`;
  const isAllowed = (u: string): boolean => {
    if (isBrowserOwn(u)) return true;
    if (u.startsWith('host:')) return ['127.0.0.1', 'localhost'].includes(u.slice(5).replace(/^\w+:\/\//, '').split(':')[0]!);
    if (/^(blob|data):/.test(u)) return true; // in-memory, never on the network
    const url = new URL(u);
    if (url.origin === origin) return allowedPaths.some((p) => url.pathname.startsWith(p)) || url.pathname === '/favicon.ico';
    return false;
  };
  const http = urls.filter((u) => /^https?:/.test(u));
  const model = http.filter((u) => u.includes('/test/fixtures/siglip-shapes/'));
  const sdk = http.filter((u) => u.includes('/dist/'));
  const offenders = urls.filter((u) => !isAllowed(u));
  console.log(`net log: ${urls.length} distinct URLs/hosts — ${model.length} model files, ${sdk.length} SDK files, ${urls.filter(isBrowserOwn).length} browser-own pings to the dead sink, ${http.length - model.length - sdk.length - urls.filter((u) => isBrowserOwn(u) && u.startsWith('http')).length} page files; not allowed: ${JSON.stringify(offenders)}`);
  expect(model.length).toBeGreaterThan(0);
  expect(offenders).toEqual([]);
});
