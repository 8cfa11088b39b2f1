/**
 * Backend selection is honest: `auto` uses WebGPU only when an adapter works (and has shader-f16 for
 * half-precision weights), otherwise WASM with `info.fallbackReason`; an explicit `webgpu` that
 * cannot work rejects with BACKEND_UNAVAILABLE. The wasm project runs Chromium without
 * --enable-unsafe-webgpu, so requestAdapter() resolves null there (see shared/lab/README.md).
 */
import { expect, test, type Page } from '@playwright/test';

interface Harness {
  SiglipWeb: typeof import('../../src/index.js');
  harness: { fixture(path: string): string };
}

async function open(page: Page): Promise<void> {
  await page.goto('/coi/test/browser/pages/harness.html');
  await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
}

async function create(page: Page, options: Record<string, unknown>): Promise<{ info?: Record<string, unknown>; code?: string; message?: string; top?: string }> {
  return page.evaluate(async (options) => {
    const { SiglipWeb, harness } = window as unknown as Harness;
    try {
      const s = await SiglipWeb.createSiglip({ model: harness.fixture('siglip-shapes/'), ...options });
      const top = (await s.classify(harness.fixture('reference/images/shape_red_circle_224.png'), ['a red circle', 'a blue square', 'a green triangle']))[0]?.label;
      const info = { ...s.info };
      await s.dispose();
      return { info, top };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { code: err.code ?? 'NOT_A_SIGLIP_ERROR', message: String(err.message) };
    }
  }, options);
}

test.describe('without a WebGPU adapter', () => {
  test('auto falls back to WASM and says why', async ({ page }) => {
    await open(page);
    const r = await create(page, { device: 'auto' });
    expect(r.code).toBeUndefined();
    expect(r.info?.device).toBe('wasm');
    expect(String(r.info?.fallbackReason)).toMatch(/adapter/i);
    expect(r.top).toBe('a red circle');
  });

  test("device 'webgpu' rejects with BACKEND_UNAVAILABLE", async ({ page }) => {
    await open(page);
    const r = await create(page, { device: 'webgpu' });
    expect(r.code).toBe('BACKEND_UNAVAILABLE');
    expect(r.message).toMatch(/webgpu/i);
  });

  test('a WebGPU session that fails to start falls back to WASM with the reason', async ({ page }) => {
    await open(page);
    // An adapter that exists but cannot create a device: the probe passes, onnxruntime then fails.
    await page.evaluate(() => {
      const fakeAdapter = {
        features: new Set(['shader-f16']),
        limits: {},
        info: { vendor: 'fake', architecture: 'broken', isFallbackAdapter: false },
        requestDevice: () => Promise.reject(new Error('simulated device creation failure')),
        requestAdapterInfo: () => Promise.resolve({ vendor: 'fake', architecture: 'broken' }),
      };
      Object.defineProperty(navigator, 'gpu', { configurable: true, value: { requestAdapter: () => Promise.resolve(fakeAdapter), getPreferredCanvasFormat: () => 'rgba8unorm' } });
    });
    const r = await create(page, { device: 'auto', worker: false });
    expect(r.message).toBeUndefined();
    expect(r.code).toBeUndefined();
    expect(r.info?.device).toBe('wasm');
    expect(String(r.info?.fallbackReason)).toMatch(/WebGPU session failed/);
    expect(r.top).toBe('a red circle');
  });
});

test.describe('software WebGPU adapter (no shader-f16) @webgpu', () => {
  test('fp32 auto uses WebGPU with no fallback reason @webgpu', async ({ page }) => {
    await open(page);
    const r = await create(page, { device: 'auto' });
    expect(r.info?.device).toBe('webgpu');
    expect(r.info?.fallbackReason).toBeUndefined();
    expect(r.top).toBe('a red circle');
  });

  test('fp16 auto falls back to WASM because shader-f16 is missing @webgpu', async ({ page }) => {
    await open(page);
    const r = await create(page, { device: 'auto', dtype: 'fp16' });
    expect(r.code).toBeUndefined();
    expect(r.info?.device).toBe('wasm');
    expect(r.info?.dtype).toBe('fp16');
    expect(String(r.info?.fallbackReason)).toMatch(/shader-f16/);
    expect(r.top).toBe('a red circle');
  });

  test("fp16 with device 'webgpu' rejects with BACKEND_UNAVAILABLE @webgpu", async ({ page }) => {
    await open(page);
    const r = await create(page, { device: 'webgpu', dtype: 'fp16' });
    expect(r.code).toBe('BACKEND_UNAVAILABLE');
    expect(r.message).toMatch(/shader-f16/);
  });
});

test.describe('WebGPU device lost @webgpu', () => {
  test('a lost device moves the instance to WASM, the call still succeeds and says why @webgpu', async ({ page }) => {
    await page.goto('/test/browser/pages/harness.html');
    await page.waitForFunction(() => (window as unknown as { harnessReady?: boolean }).harnessReady === true);
    const r = await page.evaluate(async () => {
      const { SiglipWeb, harness } = window as unknown as Harness;
      const changes: string[] = [];
      const s = await SiglipWeb.createSiglip({
        model: harness.fixture('siglip-shapes/'),
        worker: false,
        onDeviceChange: (info: { device: string }) => changes.push(info.device),
      });
      const labels = ['a red circle', 'a blue square', 'a green triangle'];
      const img = harness.fixture('reference/images/shape_red_circle_224.png');
      const before = { device: s.info.device, scores: await s.classify(img, labels) };
      // The inline engine is this very module instance: destroy the GPUDevice onnxruntime uses.
      const engineModule = await import(new URL('../../../dist/siglip-web.worker.js', location.href).href);
      const destroyed = engineModule.loseWebGpuDeviceForTesting();
      await new Promise((r) => setTimeout(r, 100));
      const after = await s.classify(img, labels);
      const info = { ...s.info };
      await s.dispose();
      return { before, destroyed, after, info, changes };
    });
    expect(r.before.device).toBe('webgpu');
    expect(r.destroyed).toBe(true);
    expect(r.info.device).toBe('wasm');
    expect(String(r.info.fallbackReason)).toMatch(/lost/);
    expect(r.changes).toEqual(['wasm']);
    expect(r.after.map((s) => s.label)).toEqual(r.before.scores.map((s) => s.label));
    r.after.forEach((s, i) => expect(Math.abs(s.score - r.before.scores[i]!.score)).toBeLessThan(1e-4));
  });
});
