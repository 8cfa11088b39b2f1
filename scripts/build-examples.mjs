#!/usr/bin/env node
/**
 * Builds examples/react and examples/vue into examples/<name>/dist with esbuild (already a dev
 * dependency; no extra bundler needed). Run after rollup: the apps import the built package.
 *
 * The SDK itself stays external (../../../dist/siglip-web.mjs): it finds its worker and wasm files
 * next to itself via import.meta.url, exactly as when served from node_modules/siglip-web/dist or a
 * CDN. The bindings and the framework are bundled into the app.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = resolve(root, 'dist');
const SUBPATHS = { 'siglip-web/react': 'react.mjs', 'siglip-web/vue': 'vue.mjs' };

for (const f of ['siglip-web.mjs', 'react.mjs', 'vue.mjs']) {
  if (!existsSync(resolve(dist, f))) throw new Error(`build-examples: dist/${f} is missing; run rollup -c first`);
}

function siglipWebPackage(outdir) {
  const sdkFromApp = relative(outdir, resolve(dist, 'siglip-web.mjs')).split('\\').join('/');
  return {
    name: 'siglip-web-package',
    setup(b) {
      b.onResolve({ filter: /^siglip-web(\/react|\/vue)?$/ }, (args) =>
        args.path === 'siglip-web' ? { path: sdkFromApp, external: true } : { path: resolve(dist, SUBPATHS[args.path]) });
      // dist/react.mjs imports its sibling ./siglip-web.mjs: the same single external SDK.
      b.onResolve({ filter: /\/siglip-web\.mjs$/ }, () => ({ path: sdkFromApp, external: true }));
    },
  };
}

const apps = [
  { name: 'react', entry: 'examples/react/src/main.tsx' },
  { name: 'vue', entry: 'examples/vue/src/main.ts' },
];

await Promise.all(apps.map(async ({ name, entry }) => {
  const outdir = resolve(root, `examples/${name}/dist`);
  await build({
    entryPoints: [resolve(root, entry)],
    outfile: resolve(outdir, 'main.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"', __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
    plugins: [siglipWebPackage(outdir)],
    logLevel: 'warning',
  });
}));
console.log(`build-examples: ${apps.map((a) => `examples/${a.name}/dist/main.js`).join(', ')}`);
