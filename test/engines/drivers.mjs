/**
 * One small interface over three ways of driving a browser, so the checks in checks.mjs run
 * unchanged in each:
 *   firefox  Debian's firefox-esr through puppeteer-core over WebDriver BiDi (headless)
 *   webkit   WebKitGTK's MiniBrowser through WebKitWebDriver + selenium-webdriver (needs an X
 *            display: we start Xvfb when there is none; its automation session is ephemeral,
 *            like Safari Private Browsing)
 *   chromium Debian's chromium through Playwright, in a fresh (incognito) context
 * A session: `open(url)`, `run(fnSource, arg)` (an async page function, awaited, JSON result),
 * `close()`. Every page function resolves to data (errors are returned, not thrown).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Firefox prefs: no network chatter; `private` makes every window a private one. */
function firefoxPrefs(isPrivate) {
  return {
    'browser.privatebrowsing.autostart': isPrivate,
    'network.dns.disableIPv6': true,
    'app.update.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

function wrapAsync(source) {
  // Same code for every driver: the function gets `arg`, its result must be JSON-serialisable.
  return `return (${source})(arguments[0]).then((v) => v, (e) => ({ __error: String(e && e.stack || e) }))`;
}

/** Firefox. `profile`: a directory kept between sessions (persistent cache), else a throwaway one. */
export async function firefoxSession({ profile, isPrivate = false } = {}) {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX_PATH, headless: true,
    ...(profile ? { userDataDir: profile } : {}),
    extraPrefsFirefox: firefoxPrefs(isPrivate),
    protocolTimeout: 180_000,
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  return {
    logs,
    async open(url) { await page.goto(url, { waitUntil: 'load' }); await page.waitForFunction(() => window.harnessReady === true, { timeout: 60_000 }); },
    async run(source, arg) { return page.evaluate(new Function(wrapAsync(source)), arg); },
    async close() { await browser.close().catch(() => undefined); },
  };
}

let xvfb;
/** An X display for MiniBrowser: the current one, or an Xvfb we start (and stop at exit). */
async function ensureDisplay() {
  if (process.env.DISPLAY) return process.env.DISPLAY;
  if (!xvfb) {
    xvfb = new Promise((resolve, reject) => {
      const proc = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'ignore'] });
      proc.on('error', reject);
      proc.stdout.once('data', (d) => resolve({ proc, display: `:${String(d).trim()}` }));
      process.on('exit', () => proc.kill());
    });
  }
  return (await xvfb).display;
}

export function stopDisplay() {
  if (xvfb) void xvfb.then(({ proc }) => proc.kill()).catch(() => undefined);
  xvfb = undefined;
}

/** WebKitGTK MiniBrowser in an automation session (ephemeral storage). */
export async function webkitSession() {
  const display = await ensureDisplay();
  const port = await freePort();
  const driver = spawn('WebKitWebDriver', [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
  const { Builder } = await import('selenium-webdriver');
  let session;
  for (let i = 0; i < 50 && !session; i++) {
    try {
      session = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
      }).build();
    } catch (err) {
      if (i === 49 || driver.exitCode !== null) { driver.kill(); throw err; }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await session.manage().setTimeouts({ script: 180_000, pageLoad: 60_000 });
  return {
    logs: [],
    async open(url) {
      await session.get(url);
      await session.wait(async () => session.executeScript('return window.harnessReady === true'), 60_000);
    },
    async run(source, arg) {
      return session.executeAsyncScript(`const done = arguments[arguments.length - 1]; (function () { ${wrapAsync(source)} })(arguments[0]).then(done)`, arg);
    },
    async close() { await session.quit().catch(() => undefined); driver.kill(); },
  };
}

/** Chromium incognito: a new context of a non-persistent browser keeps storage in memory. */
export async function chromiumIncognitoSession() {
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  return {
    logs,
    async open(url) { await page.goto(url); await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 60_000 }); },
    async run(source, arg) { return page.evaluate(new Function(wrapAsync(source)), arg); },
    async close() { await browser.close().catch(() => undefined); },
  };
}

export function tempProfile() {
  const dir = mkdtempSync(join(tmpdir(), 'siglip-engines-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
