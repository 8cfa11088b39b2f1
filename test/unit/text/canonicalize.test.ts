import { describe, expect, it } from 'vitest';
import { canonicalizeText, collapseWhitespace, pythonLower, pythonStrip, removePunctuation, PY_PUNCTUATION } from '../../../src/processors/text/canonicalize.js';

describe('pythonLower (CPython 3.11 str.lower)', () => {
  it('uses final sigma only at the end of a word', () => {
    expect(pythonLower('ΟΔΟΣ')).toBe('οδος'.slice(0, 3) + 'ς');
    expect(pythonLower('ΣΑ')).toBe('σα');
    expect(pythonLower('Σ')).toBe('σ');
    expect(pythonLower('ΑΣ.')).toBe('ας.');
    expect(pythonLower("Α'Σ")).toBe("α'ς"); // apostrophe is case-ignorable
  });
  it('maps U+0130 to i + combining dot, and Kelvin sign to k', () => {
    expect(pythonLower('\u0130')).toBe('i\u0307');
    expect(pythonLower('\u212a')).toBe('k');
  });
  it('leaves letters added after Unicode 14 alone (the engine may know them)', () => {
    expect(pythonLower('\ua7cb')).toBe('\ua7cb');
    expect(pythonLower('\u{10d50}')).toBe('\u{10d50}');
  });
  it('lowercases ASCII and fullwidth letters', () => {
    expect(pythonLower('ABC xyz ＦＵＬＬ')).toBe('abc xyz ｆｕｌｌ');
  });
});

describe('removePunctuation (string.punctuation)', () => {
  it('removes all 32 ASCII punctuation characters', () => {
    expect(PY_PUNCTUATION.length).toBe(32);
    for (const ch of PY_PUNCTUATION) expect(removePunctuation(`a${ch}b`)).toBe('ab');
  });
  it('keeps non-ASCII punctuation', () => {
    const kept = '“”‘’—–…¡¿«»！。、・';
    expect(removePunctuation(kept)).toBe(kept);
  });
});

describe('whitespace (Python str \\s)', () => {
  it('treats U+001C..U+001F and U+0085 as whitespace but not U+FEFF or U+200B', () => {
    expect(collapseWhitespace('a\x1c\x1d\x1e\x1fb\x85c')).toBe('a b c');
    expect(collapseWhitespace('a\ufeffb\u200bc')).toBe('a\ufeffb\u200bc');
    expect(pythonStrip('\ufeffx\ufeff')).toBe('\ufeffx\ufeff');
    expect(pythonStrip('\u3000\u2028x\u00a0\u205f')).toBe('x');
  });
});

describe('canonicalizeText', () => {
  it('lower -> punctuation -> whitespace -> strip', () => {
    expect(canonicalizeText('  Hello,   World! ')).toBe('hello world');
    expect(canonicalizeText('a - b')).toBe('a b');
    expect(canonicalizeText('!!!')).toBe('');
  });
});
