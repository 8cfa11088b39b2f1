#!/usr/bin/env node
/**
 * Measures how far each image decoder is from Pillow in Firefox ESR and WebKitGTK (Chromium is
 * covered by test/browser/decoders.spec.ts), using the same page: test/browser/pages/decoders.html.
 * Prints max/mean differences in 8-bit levels per fixture image and engine.
 *   npm run build && xvfb-run -a node scripts/measure-decoders.mjs [--port 4314] [--engines firefox,webkit]
 * Needs apt packages firefox-esr and webkit2gtk-driver (+ xvfb: MiniBrowser has no headless mode).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const port = Number(option('--port', process.env.PORT ?? 4314));
const engines = option('--engines', 'firefox,webkit').split(',');
const pageUrl = `http://127.0.0.1:${port}/test/browser/pages/decoders.html`;
const MINIBROWSER = ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser'].find(existsSync);

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/package.json`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`server on port ${port} did not start`);
}

async function inFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    await page.waitForFunction('window.decodersReady === true');
    return await page.evaluate(() => window.measureDecoders());
  } finally {
    await browser.close();
  }
}

async function inWebKit() {
  const { Builder } = await import('selenium-webdriver');
  const driverPort = port + 1000;
  const driverProcess = spawn('WebKitWebDriver', [`--port=${driverPort}`], { stdio: 'ignore' });
  try {
    let driver;
    // The driver takes a moment to listen: retry the session for up to ~10 s.
    for (let i = 0; i < 50 && !driver; i++) {
      try {
        driver = await new Builder()
          .usingServer(`http://127.0.0.1:${driverPort}`)
          .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } })
          .build();
      } catch (err) {
        if (i === 49 || driverProcess.exitCode !== null) throw err;
        await sleep(200);
      }
    }
    try {
      await driver.manage().setTimeouts({ script: 120_000 });
      await driver.get(pageUrl);
      await driver.wait(async () => driver.executeScript('return window.decodersReady === true'), 30_000);
      return await driver.executeAsyncScript('const done = arguments[arguments.length - 1]; window.measureDecoders().then(done, (e) => done(String(e)));');
    } finally {
      await driver.quit();
    }
  } finally {
    driverProcess.kill();
  }
}

const server = spawn(process.execPath, [fileURLToPath(new URL('./serve.mjs', import.meta.url)), '--port', String(port)], { stdio: 'ignore' });
try {
  await waitForServer();
  for (const engine of engines) {
    const results = engine === 'firefox' ? await inFirefox() : await inWebKit();
    if (!Array.isArray(results)) throw new Error(`${engine}: ${results}`);
    for (const r of results) {
      console.log(`${engine}\t${r.file}\tmax ${r.max}\tmean ${r.mean === null ? '-' : r.mean.toFixed(4)}${r.error ? `\t${r.error}` : ''}`);
    }
  }
} finally {
  server.kill();
}
