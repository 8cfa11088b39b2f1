/**
 * The drop-in page must work under
 *   default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'
 * (served by scripts/serve.mjs under /csp/, for the page and the worker alike): no 'unsafe-eval',
 * no inline script, no blob: workers or scripts.
 */
import { expect, test } from '@playwright/test';

for (const worker of [true, false]) {
  test(`drop-in build works under a strict CSP (${worker ? 'worker' : 'inline'})`, async ({ page }) => {
    const console_: string[] = [];
    page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
    page.on('worker', (w) => w.on('console', (m) => console_.push(`worker ${m.type()}: ${m.text()}`)));
    const response = await page.goto(`/csp/test/browser/pages/csp.html?worker=${worker}`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    const result = await page.evaluate(() => (window as unknown as { cspResult: Promise<unknown> }).cspResult);
    const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    const cspConsole = console_.filter((l) => /Content Security Policy|Refused to/i.test(l));
    console.log(`CSP (${worker ? 'worker' : 'inline'}): ${JSON.stringify(result)}; violations ${JSON.stringify(violations)}; console ${JSON.stringify(cspConsole)}`);
    expect(result).toMatchObject({ ok: true, value: { worker } });
    // Same answers as the same page without the policy.
    await page.goto(`/test/browser/pages/csp.html?worker=${worker}`);
    const unrestricted = await page.evaluate(() => (window as unknown as { cspResult: Promise<unknown> }).cspResult);
    expect(result).toEqual(unrestricted);
    expect(violations).toEqual([]);
    expect(cspConsole).toEqual([]);
  });
}
