/**
 * Opens one app page in Chromium and reports what a user would see: the top label the app shows
 * (#top) or its error (#error), plus every 4xx/5xx answer, console error, page error and request
 * that leaves this machine. Used by run-apps.mjs; also runnable alone:
 *   node test/apps/check-page.mjs http://127.0.0.1:4310/
 */
import { chromium } from '@playwright/test';
import { existsSync } from 'node:fs';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** @returns {Promise<{ top: string | null; error: string | null; problems: string[] }>} */
export async function checkPage(url, { browser, timeoutMs = 120_000 } = {}) {
  const own = browser ?? (await chromium.launch({ executablePath, args: ARGS, headless: true }));
  const context = await own.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
  // ERR_ABORTED is the SDK cancelling a download it no longer needs (size probes), not a failure.
  page.on('requestfailed', (r) => { if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`); });
  // Route every request: anything not for this machine is aborted and reported.
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (/^https?:$/.test(u.protocol) && !LOCAL_HOSTS.has(u.hostname)) {
      problems.push(`off-machine request: ${u.href}`);
      return route.abort();
    }
    return route.continue();
  });
  try {
    await page.goto(url);
    const answer = page.locator('#top:not(:empty), #error');
    await answer.first().waitFor({ timeout: timeoutMs });
    const top = (await page.locator('#top').count()) ? await page.locator('#top').textContent() : null;
    const error = (await page.locator('#error').count()) ? await page.locator('#error').textContent() : null;
    return { top, error, problems };
  } catch (err) {
    return { top: null, error: `no answer: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, problems };
  } finally {
    await context.close();
    if (!browser) await own.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await checkPage(process.argv[2]);
  console.log(JSON.stringify(result, null, 2));
  process.exit(result.error || result.problems.length ? 1 : 0);
}
