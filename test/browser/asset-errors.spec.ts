/**
 * Deployment mistakes with the SDK's own files reject createSiglip with ASSET_LOAD naming the URL
 * and the fix, not a generic worker crash: a workerUrl that answers 404, and a worker script
 * served without COEP to a cross-origin isolated page (the browser blocks it as a worker).
 */
import { expect, test } from '@playwright/test';

const MODEL = '/test/fixtures/siglip-shapes/';

async function load(page: import('@playwright/test').Page, options: Record<string, unknown>): Promise<{ isolated: boolean; code?: string; message?: string }> {
  return page.evaluate(async (options) => {
    const w = window as unknown as { SiglipWeb: typeof import('../../src/index') };
    try {
      const s = await w.SiglipWeb.createSiglip(options as Parameters<typeof w.SiglipWeb.createSiglip>[0]);
      await s.dispose();
      return { isolated: crossOriginIsolated };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { isolated: crossOriginIsolated, code: err.code, message: err.message };
    }
  }, options);
}

test('a workerUrl that answers 404 is ASSET_LOAD naming the URL and workerUrl', async ({ page }) => {
  await page.goto('/test/browser/pages/asset-paths.html');
  const r = await load(page, { model: MODEL, workerUrl: '/missing/siglip-web.worker.js' });
  expect(r.code).toBe('ASSET_LOAD');
  expect(r.message).toMatch(/\/missing\/siglip-web\.worker\.js answered HTTP 404.*workerUrl/);
});

test('a worker script without COEP under a cross-origin isolated page is ASSET_LOAD naming the headers', async ({ page }) => {
  await page.goto('/coi/test/browser/pages/asset-paths.html');
  const r = await load(page, { model: MODEL });
  expect(r.isolated).toBe(true);
  expect(r.code).toBe('ASSET_LOAD');
  expect(r.message).toMatch(/siglip-web\.worker\.js is served without a Cross-Origin-Embedder-Policy header while this page is cross-origin isolated/);
});
