/**
 * Build plugin (rollup and vitest) for OpenJPEG's Emscripten decoder: its UMD glue gets an ES
 * default export, and `virtual:openjpeg-wasm` is its .wasm as a base64 string, inlined into the
 * worker bundle so no extra asset has to be served or emitted by an app's bundler.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const GLUE = require.resolve('@cornerstonejs/codec-openjpeg/decodewasmjs');
const WASM = join(dirname(GLUE), 'openjpegwasm_decode.wasm');
const VIRTUAL = 'virtual:openjpeg-wasm';

export function openjpeg() {
  return {
    name: 'openjpeg',
    resolveId(id) {
      return id === VIRTUAL ? `\0${VIRTUAL}` : null;
    },
    load(id) {
      return id === `\0${VIRTUAL}` ? `export default ${JSON.stringify(readFileSync(WASM).toString('base64'))};` : null;
    },
    transform(code, id) {
      if (id !== GLUE) return null;
      // Browser-only: the Node branch's require() calls and the UMD export tail are dropped.
      const node = 'var fs=require("fs");var nodePath=require("path");';
      const tail = code.indexOf("if (typeof exports === 'object' && typeof module === 'object')");
      if (!code.includes(node) || tail < 0) this.error('@cornerstonejs/codec-openjpeg changed: review scripts/openjpeg-plugin.mjs');
      return { code: `${code.slice(0, tail).replace(node, 'var fs;var nodePath;')}\nexport default OpenJPEGWASM;\n`, map: null };
    },
  };
}
