import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

// The main-thread entry (with autoTag) must stay small; the heavy code belongs in the worker asset.
const BUDGET = 25 * 1024;
const built = existsSync('dist/siglip-web.mjs');

describe.skipIf(!built)('bundle budget (after npm run build)', () => {
  for (const file of ['dist/siglip-web.mjs', 'dist/siglip-web.js']) {
    it(`${file} is at most 25 KB gzipped`, () => {
      const size = gzipSync(readFileSync(file)).length;
      expect(size).toBeLessThanOrEqual(BUDGET);
    });
  }

  it('the bindings load the SDK from their sibling file instead of bundling a copy', () => {
    for (const file of ['dist/react.mjs', 'dist/vue.mjs']) {
      const code = readFileSync(file, 'utf8');
      expect(code).toMatch(/from\s*["']\.\/siglip-web\.mjs["']/);
      expect(code).not.toContain('siglip-web.worker.js');
    }
  });
});
