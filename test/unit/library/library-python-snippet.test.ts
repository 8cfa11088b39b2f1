/**
 * The README's Python snippet, run as written (only the model id and photo folder swapped for a
 * random SiglipModel built from the fixture config and the fixture images): its file must be one
 * our reader accepts, with sha-256 ids and each row equal to get_image_features of that photo alone.
 * Needs python3 with torch, transformers, safetensors, numpy (pip install from the local mirror).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeLibraryFile } from '../../../src/storage/library/library-file.js';

const FIXTURE = 'test/fixtures/siglip-shapes';
const PHOTOS = ['shape_red_circle_224.png', 'shape_green_triangle_exif6.jpg', 'coffee.jpg'];

function readmeSnippet(): string {
  const readme = readFileSync('README.md', 'utf8');
  const m = /<!-- library-python-snippet -->\s*```python\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README has no library-python-snippet block');
  return m[1] as string;
}

describe('README Python snippet for library files', () => {
  it('writes a file siglip-web imports, with get_image_features rows and sha-256 ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'siglip-snippet-'));
    mkdirSync(join(dir, 'photos'));
    for (const p of PHOTOS) copyFileSync(`test/fixtures/reference/images/${p}`, join(dir, 'photos', p));
    const modelDir = join(dir, 'model');
    execFileSync('python3', ['-c', [
      'import sys, shutil, torch',
      'from transformers import SiglipConfig, SiglipModel',
      'torch.manual_seed(0)',
      `SiglipModel(SiglipConfig.from_pretrained(sys.argv[1])).save_pretrained(sys.argv[2])`,
      `shutil.copy(sys.argv[1] + "/preprocessor_config.json", sys.argv[2])`,
    ].join('\n'), FIXTURE, modelDir], { stdio: 'inherit' });
    const snippet = readmeSnippet().replace(/model_id = "[^"]+"/, `model_id = ${JSON.stringify(modelDir)}`);
    writeFileSync(join(dir, 'snippet.py'), snippet);
    // A file Pillow cannot read is skipped (and printed), as lib.add lists it in `failed`; an
    // identical copy of a photo is one photo, as lib.add stores it once.
    writeFileSync(join(dir, 'photos', 'broken.jpg'), 'not a photo');
    copyFileSync(join(dir, 'photos', 'coffee.jpg'), join(dir, 'photos', 'coffee_copy.jpg'));
    execFileSync('python3', ['snippet.py'], { cwd: dir, stdio: 'inherit' });
    rmSync(join(dir, 'photos', 'broken.jpg'));
    rmSync(join(dir, 'photos', 'coffee_copy.jpg'));
    // Reference: each photo embedded alone, the way transformers documents get_image_features.
    const reference = JSON.parse(execFileSync('python3', ['-c', [
      'import sys, json, os, torch',
      'from transformers import AutoImageProcessor, SiglipModel',
      'from transformers.image_utils import load_image',
      'm = SiglipModel.from_pretrained(sys.argv[1]).eval(); p = AutoImageProcessor.from_pretrained(sys.argv[1], backend="pil")',
      'out = []',
      'for f in sorted(os.listdir(sys.argv[2])):',
      '    with torch.no_grad():',
      '        r = m.get_image_features(**p(images=load_image(os.path.join(sys.argv[2], f)), return_tensors="pt"))',
      '    out.append(getattr(r, "pooler_output", r)[0].tolist())',
      'print(json.dumps(out))',
    ].join('\n'), modelDir, join(dir, 'photos')], { encoding: 'utf8' })) as number[][];
    const file = await decodeLibraryFile(new Blob([readFileSync(join(dir, 'library.safetensors'))]));
    const names = readdirSync(join(dir, 'photos')).sort();
    expect(file.names).toEqual(names);
    expect(file.ids).toEqual(names.map((n) => createHash('sha256').update(readFileSync(join(dir, 'photos', n))).digest('hex')));
    expect(file.dim).toBe(128);
    reference.forEach((row, i) => {
      const got = file.embeddings.subarray(i * file.dim, (i + 1) * file.dim);
      expect(Math.max(...row.map((v, j) => Math.abs(v - (got[j] as number))))).toBeLessThanOrEqual(1e-4);
    });
  }, 600_000);
});
