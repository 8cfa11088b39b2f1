import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import resolve from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';
import { openjpeg } from './scripts/openjpeg-plugin.mjs';

const require = createRequire(import.meta.url);
const ortDist = dirname(require.resolve('onnxruntime-web'));
// The worker's onnxruntime build embeds its JS factory, so only the .wasm is needed next to it.
const ORT_FILES = ['ort-wasm-simd-threaded.asyncify.wasm'];

/** onnxruntime's runtime files ship inside dist/, so nothing is fetched from a CDN by default. */
function copyOrtAssets() {
  return {
    name: 'copy-ort-assets',
    writeBundle() {
      mkdirSync('dist/ort', { recursive: true });
      for (const f of ORT_FILES) copyFileSync(join(ortDist, f), join('dist/ort', f));
    },
  };
}

// The ESM entries are not minified: the app's bundler minifies them, and minifying would drop the
// /* webpackIgnore */ /* @vite-ignore */ comments that keep bundlers away from the runtime import().
const plugins = ({ minify = true } = {}) => [
  resolve({ browser: true, exportConditions: ['browser', 'import', 'default'], preferBuiltins: false }),
  esbuild({ target: 'es2022', minify, legalComments: 'none' }),
];

// The main-thread entries must never pull in transformers.js/onnxruntime: those live in the worker asset.
const mainThreadGuard = {
  name: 'main-thread-guard',
  resolveId(id, importer) {
    if (/@huggingface\/(transformers|tokenizers)|onnxruntime/.test(id)) {
      this.error(`${importer} imports ${id}: heavy dependencies belong in the worker bundle`);
    }
    return null;
  },
};

// The bindings import the SDK through src/bindings/shared/sdk.ts; at runtime that is the sibling
// dist/siglip-web.mjs, so the SDK (and its import.meta.url-relative worker lookup) exists once per page.
const SDK_DOOR = fileURLToPath(new URL('./src/bindings/shared/sdk.ts', import.meta.url));
const sdkAsSibling = {
  name: 'sdk-as-sibling',
  async resolveId(id, importer, options) {
    const resolved = await this.resolve(id, importer, { ...options, skipSelf: true });
    if (resolved && resolved.id === SDK_DOOR) return { id: './siglip-web.mjs', external: true };
    return null;
  },
};

const binding = (name, framework) => ({
  input: `src/bindings/${name}/index.ts`,
  // Hooks only work in client components: the banner makes Next.js' App Router treat this entry as one.
  output: { file: `dist/${name}.mjs`, format: 'es', sourcemap: true, banner: "'use client';" },
  external: (id) => id === framework || id.startsWith(`${framework}/`),
  plugins: [sdkAsSibling, mainThreadGuard, ...plugins({ minify: false })],
});

export default [
  {
    input: 'src/index.ts',
    output: { file: 'dist/siglip-web.mjs', format: 'es', sourcemap: true },
    plugins: [mainThreadGuard, ...plugins({ minify: false })],
  },
  {
    input: 'src/global.ts',
    output: { file: 'dist/siglip-web.js', format: 'iife', name: 'SiglipWeb', sourcemap: true },
    plugins: [mainThreadGuard, ...plugins()],
  },
  binding('react', 'react'),
  binding('vue', 'vue'),
  {
    input: 'src/worker/worker-entry.ts',
    output: { file: 'dist/siglip-web.worker.js', format: 'es', sourcemap: false, inlineDynamicImports: true },
    plugins: [openjpeg(), ...plugins(), copyOrtAssets()],
    onwarn(warning, warn) {
      // transformers.js' web build references node-only modules behind runtime checks.
      if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'EVAL') return;
      warn(warning);
    },
  },
];
