import { defineConfig } from 'vitest/config';
import { openjpeg } from './scripts/openjpeg-plugin.mjs';

export default defineConfig({
  plugins: [openjpeg()],
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
