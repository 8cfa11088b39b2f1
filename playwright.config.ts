import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

/** Debian's chromium (Playwright cannot download browsers here); CHROMIUM_PATH overrides. */
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const baseArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];
const PORT = Number(process.env.TEST_PORT ?? 4173);

export default defineConfig({
  testDir: 'test/browser',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: { baseURL: `http://127.0.0.1:${PORT}`, headless: true, screenshot: 'only-on-failure', trace: 'off' },
  webServer: { command: `node scripts/serve.mjs --port ${PORT}`, url: `http://127.0.0.1:${PORT}/package.json`, reuseExistingServer: !process.env.CI },
  projects: [
    { name: 'wasm', grepInvert: /@webgpu/, use: { launchOptions: { executablePath, args: baseArgs } } },
    {
      name: 'webgpu',
      grep: /@webgpu/,
      use: { launchOptions: { executablePath, args: [...baseArgs, '--enable-unsafe-webgpu'] } },
    },
  ],
});
