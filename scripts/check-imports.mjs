#!/usr/bin/env node
/**
 * Import rules of src/ (README "Layout"): every folder (or root file) of src/ is a layer that may
 * import only the layers listed for it, so the layers form a DAG; a few packages may be imported
 * only from the one module that adapts them. Exits 1 and lists each violation.
 *
 *   node scripts/check-imports.mjs [srcDir]
 *
 * `checkImports(files, rules)` is exported for the unit test, which feeds it a cycle and a forbidden edge.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * layer -> layers it may import. `{ typeOnly: true }` allows `import type` only (erased at build,
 * so no runtime code crosses). Any edge not listed is a violation; the table itself must be acyclic.
 */
export const LAYER_RULES = {
  errors: [],
  // types.ts and library-types.ts: the public type declarations (one layer, see LAYER_ALIASES).
  types: [{ layer: 'errors', typeOnly: true }],
  'asset-errors': ['errors', 'types'],
  'model-ref': ['errors', 'types'],
  scores: ['errors', 'types'],
  onnx: ['errors', 'types'],
  processors: ['errors', 'types'],
  backend: ['errors', 'types'],
  storage: ['errors', 'types'],
  protocol: ['errors', 'types', 'model-ref', 'library-types'],
  engine: ['protocol', 'storage', 'backend', 'onnx', 'scores', 'processors', 'model-ref', 'asset-errors', 'errors', 'types'],
  worker: ['engine', 'protocol', 'processors', 'errors', 'types'],
  client: ['protocol', 'model-ref', 'storage', 'processors', { layer: 'worker', typeOnly: true }, 'asset-errors', 'errors', 'types'],
  pipeline: ['client', 'errors', 'types'],
  autotag: ['client', 'errors', 'types'],
  index: ['client', 'pipeline', 'autotag', 'errors', 'types'],
  global: ['index', 'autotag'],
  // Built separately (siglip-web/react, /vue); they reach the SDK only through bindings/shared/sdk.ts.
  bindings: ['index', 'errors', 'types'],
};

/** package -> the only files (paths under src/; a trailing `/` means a whole folder) allowed to import it. */
export const PACKAGE_RULES = {
  '@huggingface/transformers': ['engine/transformers-adapter.ts'],
  'onnxruntime-web': ['engine/transformers-adapter.ts'],
  '@huggingface/tokenizers': ['processors/text/text-processor.ts'],
  'idb-keyval': ['storage/'],
  comlink: ['client/worker-engine.ts', 'worker/expose-engine.ts'],
  react: ['bindings/react/index.ts'],
  vue: ['bindings/vue/index.ts'],
};

/** Root files that belong to another layer (the public types are split over two files). */
export const LAYER_ALIASES = { 'library-types': 'types' };

/** The layer of a path under src/: its top folder, or the root file's name without extension. */
export function layerOf(path) {
  const parts = path.split('/');
  const name = parts.length > 1 ? parts[0] : parts[0].replace(/\.[cm]?[tj]sx?$/, '');
  return LAYER_ALIASES[name] ?? name;
}

const IMPORT_RE = /(?:^|[;\s}])(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier in `text`, with whether the statement is type-only. Comments are ignored. */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
  const found = [];
  for (const m of code.matchAll(IMPORT_RE)) {
    if (m[4] !== undefined) {
      // `typeof import('x')` in a type position is erased too; a real import() is a runtime edge.
      const start = m.index + m[0].indexOf('import(');
      found.push({ specifier: m[4], typeOnly: /typeof\s*\(?\s*$/.test(code.slice(Math.max(0, start - 12), start)) });
    } else {
      found.push({ specifier: m[3], typeOnly: m[2] !== undefined });
    }
  }
  return found;
}

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function allowed(rules, from, to, typeOnly) {
  for (const entry of rules[from] ?? []) {
    if (typeof entry === 'string' ? entry === to : entry.layer === to && (typeOnly || !entry.typeOnly)) return true;
  }
  return false;
}

/** Cycles in a graph given as node -> iterable of nodes (each reported once, as a path). */
export function findCycles(graph) {
  const cycles = [];
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/**
 * `files`: path under src/ (posix) -> source text. Returns the violations (empty when all holds)
 * and the folder-level graph actually found.
 */
export function checkImports(files, layerRules = LAYER_RULES, packageRules = PACKAGE_RULES) {
  const violations = [];
  const graph = new Map();
  const ruleGraph = new Map(Object.entries(layerRules).map(([k, v]) => [k, v.map((e) => (typeof e === 'string' ? e : e.layer))]));
  for (const cycle of findCycles(ruleGraph)) violations.push(`the rules themselves have a cycle: ${cycle.join(' -> ')}`);
  for (const [path, text] of files) {
    const from = layerOf(path);
    if (!(from in layerRules)) violations.push(`${path}: layer "${from}" has no rule; add it to LAYER_RULES and README's Layout`);
    for (const { specifier, typeOnly } of importsOf(text)) {
      if (specifier.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(path), specifier));
        if (target.startsWith('..')) {
          violations.push(`${path}: imports ${specifier}, outside src/`);
          continue;
        }
        const to = layerOf(target);
        if (to === from) continue;
        if (!graph.has(from)) graph.set(from, new Set());
        graph.get(from).add(to);
        if (!allowed(layerRules, from, to, typeOnly)) {
          violations.push(`${path}: ${from} may not import ${to}${typeOnly ? '' : ' at runtime'} (${specifier})`);
        }
      } else {
        const pkg = packageOf(specifier);
        const owners = packageRules[pkg];
        if (owners && !owners.some((o) => (o.endsWith('/') ? path.startsWith(o) : o === path))) violations.push(`${path}: imports ${pkg}, which only ${owners.join(', ')} may import`);
      }
    }
  }
  for (const cycle of findCycles(graph)) violations.push(`import cycle between layers: ${cycle.join(' -> ')}`);
  return { violations, graph };
}

function readTree(dir, base = dir, out = new Map()) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) readTree(full, base, out);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.set(relative(base, full).split('\\').join('/'), readFileSync(full, 'utf8'));
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srcDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const { violations, graph } = checkImports(readTree(srcDir));
  if (violations.length) {
    console.error(`Import rules violated (scripts/check-imports.mjs, README "Layout"):\n  ${violations.join('\n  ')}`);
    process.exit(1);
  }
  const edges = [...graph].map(([from, to]) => `${from} -> ${[...to].sort().join(', ')}`).sort();
  console.log(`import rules hold: ${graph.size} layers import others, no cycle\n  ${edges.join('\n  ')}`);
}
