import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '../../../src');
const read = (file: string): string => readFileSync(join(SRC, file), 'utf8');

/** Names a module declares with `export interface|type|class|function|const`. */
function declaredExports(file: string): string[] {
  return [...read(file).matchAll(/^export (?:interface|type|class|(?:async )?function|const) (\w+)/gm)].map((m) => m[1]!);
}

/** Names index.ts exports, from its `export { … }` and `export type { … }` lists. */
function indexNames(): Set<string> {
  const names = new Set<string>();
  for (const m of read('index.ts').matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop();
      if (name) names.add(name);
    }
  }
  return names;
}

describe('public API (src/index.ts)', () => {
  it('names its exports one by one (no export *)', () => {
    expect(read('index.ts')).not.toMatch(/export (type )?\*/);
    expect(indexNames().has('openLibrary')).toBe(true);
  });

  it.each([
    ['types.ts', []],
    ['library-types.ts', []],
    ['pipeline.ts', ['pipeline']],
    ['errors.ts', []],
  ] as const)('exports every public name of %s', (file, alsoValues) => {
    const names = indexNames();
    const missing = declaredExports(file).filter((n) => !names.has(n));
    expect(missing).toEqual([]);
    for (const v of alsoValues) expect(names.has(v)).toBe(true);
  });

  it('lets users name what pipeline() returns and what processors take', () => {
    const names = indexNames();
    for (const n of ['EmbeddingTensor', 'ZeroShotImageClassificationPipeline', 'ImageFeatureExtractionPipeline', 'FeatureExtractionPipeline', 'PipelineTask', 'ProcessorLoadOptions']) {
      expect(names.has(n), n).toBe(true);
    }
  });
});
