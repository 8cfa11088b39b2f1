import { describe, expect, it } from 'vitest';
import { withoutAvifAlpha } from '../../../src/processors/image/avif-alpha';
import { fixtureBytes } from './helpers';

const text = (b: Uint8Array): string => String.fromCharCode(...b);

describe('withoutAvifAlpha (hides the alpha item from the browser decoder)', () => {
  it('renames the auxl reference in place: same length, every other byte unchanged', () => {
    const bytes = fixtureBytes('decoders', 'images', 'avif_alpha.avif');
    const out = withoutAvifAlpha(bytes);
    expect(text(bytes)).toContain('auxl');
    expect(text(out)).not.toContain('auxl');
    expect(out.length).toBe(bytes.length);
    let changed = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== out[i]) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(4);
    expect(text(bytes)).toContain('auxl'); // the caller's bytes are not modified
  });

  it('returns an AVIF without alpha, or anything unparseable, unchanged', () => {
    const plain = fixtureBytes('decoders', 'images', 'avif_420.avif');
    expect(withoutAvifAlpha(plain)).toBe(plain);
    const junk = new Uint8Array([0, 0, 0, 9, 1, 2, 3]);
    expect(withoutAvifAlpha(junk)).toBe(junk);
  });
});
