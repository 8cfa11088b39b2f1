import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { checkImports, findCycles, importsOf, LAYER_RULES } from '../../../scripts/check-imports.mjs';

type Check = (files: Map<string, string>, rules?: unknown) => { violations: string[]; graph: Map<string, Set<string>> };
const check = checkImports as Check;
const SCRIPT = join(__dirname, '../../../scripts/check-imports.mjs');

function tree(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(files));
}

describe('import rules (scripts/check-imports.mjs)', () => {
  it('accepts edges the rules allow, including type-only ones', () => {
    const { violations } = check(tree({
      'engine/a.ts': "import { x } from '../storage/b.js';\nimport type { Y } from '../protocol/p.js';",
      'storage/b.ts': "import { SiglipError } from '../errors.js';",
      'client/c.ts': "import type * as M from '../worker/w.js';\ntype T = typeof import('../worker/w.js');",
      'errors.ts': '', 'protocol/p.ts': '', 'worker/w.ts': '',
    }));
    expect(violations).toEqual([]);
  });

  it('reports a cycle between two layers and the forbidden edge that closes it', () => {
    const { violations } = check(tree({
      'storage/a.ts': "import { b } from '../engine/b.js';",
      'engine/b.ts': "import { a } from '../storage/a.js';",
    }));
    expect(violations.some((v) => v.startsWith('storage/a.ts: storage may not import engine'))).toBe(true);
    expect(violations.some((v) => /import cycle between layers: (storage -> engine -> storage|engine -> storage -> engine)/.test(v))).toBe(true);
  });

  it('reports a runtime import where only a type import is allowed', () => {
    const { violations } = check(tree({ 'client/a.ts': "import { createEngine } from '../worker/worker-entry.js';", 'worker/worker-entry.ts': '' }));
    expect(violations).toEqual(['client/a.ts: client may not import worker at runtime (../worker/worker-entry.js)']);
  });

  it('keeps adapted packages in their one module', () => {
    const { violations } = check(tree({
      'storage/x.ts': "import { env } from '@huggingface/transformers';",
      'engine/siglip-engine.ts': "const m = await import('onnxruntime-web');",
      'engine/transformers-adapter.ts': "import { env } from '@huggingface/transformers';",
    }));
    expect(violations).toEqual([
      'storage/x.ts: imports @huggingface/transformers, which only engine/transformers-adapter.ts may import',
      'engine/siglip-engine.ts: imports onnxruntime-web, which only engine/transformers-adapter.ts may import',
    ]);
  });

  it('reports a layer without a rule and rules that are themselves cyclic', () => {
    expect(check(tree({ 'newfolder/a.ts': '' })).violations).toEqual([expect.stringContaining('layer "newfolder" has no rule')]);
    expect(check(tree({}), { a: ['b'], b: ['a'] }).violations).toEqual([expect.stringContaining('the rules themselves have a cycle')]);
  });

  it('reads import, export-from, dynamic and typeof-import specifiers, not comments', () => {
    const specs = (importsOf as (t: string) => { specifier: string; typeOnly: boolean }[])(`
      // import { no } from './commented.js';
      /* import { no } from './block.js'; */
      import { a } from './a.js';
      import type { B } from './b.js';
      export { c } from './c.js';
      export type { D } from './d.js';
      import './side-effect.js';
      const e = await import('./e.js');
      type F = typeof import('./f.js');
    `);
    expect(specs).toEqual([
      { specifier: './a.js', typeOnly: false },
      { specifier: './b.js', typeOnly: true },
      { specifier: './c.js', typeOnly: false },
      { specifier: './d.js', typeOnly: true },
      { specifier: './side-effect.js', typeOnly: false },
      { specifier: './e.js', typeOnly: false },
      { specifier: './f.js', typeOnly: true },
    ]);
  });

  it('the rule table is a DAG', () => {
    const graph = new Map(Object.entries(LAYER_RULES as Record<string, (string | { layer: string })[]>).map(([k, v]) => [k, v.map((e) => (typeof e === 'string' ? e : e.layer))]));
    expect((findCycles as (g: Map<string, string[]>) => string[][])(graph)).toEqual([]);
  });

  it('the command exits 1 on a violation and 0 on the real src/', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-rules-'));
    try {
      for (const [path, text] of Object.entries({ 'storage/a.ts': "import '../client/b.js';", 'client/b.ts': "import '../storage/a.js';" })) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const bad = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('storage may not import client');
      const good = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
      expect(good.stderr).toBe('');
      expect(good.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
