/**
 * Python-exact text canonicalization of transformers' SiglipTokenizer:
 * `str.lower()` -> drop `string.punctuation` -> `re.sub(r"\s+", " ", t)` -> `str.strip()`.
 * Each step follows CPython 3.11 semantics, not JS ones (JS `\s` and `trim()` use a different
 * whitespace set, and `toLowerCase()` follows the engine's Unicode version).
 */
import {
  PY_CASED_OVERRIDES,
  PY_CASE_IGNORABLE_OVERRIDES,
  PY_LOWER_MULTI,
  PY_LOWER_RUNS,
  PY_UNCASED_OVERRIDES,
} from './python-unicode-tables.js';

/** Python's `string.punctuation`: the 32 ASCII punctuation characters, nothing else. */
export const PY_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * Code points for which `str.isspace()` is true (CPython: bidi class WS/B/S or category Zs). This is
 * also what `\s` and `strip()` use on str. Unlike JS, it includes U+001C..U+001F and U+0085 and
 * excludes U+FEFF.
 */
export const PY_WHITESPACE: ReadonlySet<number> = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

const WS_CLASS = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const WS_RUN = new RegExp(`${WS_CLASS}+`, 'g');
const WS_LEAD = new RegExp(`^${WS_CLASS}+`);
const WS_TRAIL = new RegExp(`${WS_CLASS}+$`);
const PUNCT_RE = /[!-/:-@[-`{-~]/g;

let lowerTable: Map<number, number> | null = null;

function getLowerTable(): Map<number, number> {
  if (lowerTable) return lowerTable;
  const table = new Map<number, number>();
  for (let i = 0; i < PY_LOWER_RUNS.length; i += 4) {
    const start = PY_LOWER_RUNS[i]!;
    const count = PY_LOWER_RUNS[i + 1]!;
    const stride = PY_LOWER_RUNS[i + 2]!;
    const delta = PY_LOWER_RUNS[i + 3]!;
    for (let k = 0; k < count; k++) {
      const cp = start + k * stride;
      table.set(cp, cp + delta);
    }
  }
  lowerTable = table;
  return table;
}

function inRanges(cp: number, ranges: readonly (readonly [number, number])[]): boolean {
  for (const [from, to] of ranges) if (cp >= from && cp <= to) return true;
  return false;
}

type CaseClass = 'cased' | 'ignorable' | 'other';

const CASED_RE = /\p{Cased}/u;
const IGNORABLE_RE = /\p{Case_Ignorable}/u;

/** Python's class for the final-sigma rule; Case_Ignorable wins over Cased, as in CPython's loop. */
function caseClass(cp: number): CaseClass {
  if (inRanges(cp, PY_CASE_IGNORABLE_OVERRIDES)) return 'ignorable';
  if (inRanges(cp, PY_CASED_OVERRIDES)) return 'cased';
  if (inRanges(cp, PY_UNCASED_OVERRIDES)) return 'other';
  const ch = String.fromCodePoint(cp);
  if (IGNORABLE_RE.test(ch)) return 'ignorable';
  if (CASED_RE.test(ch)) return 'cased';
  return 'other';
}

/** CPython `handle_capital_sigma`: final form iff preceded by a cased letter and not followed by one. */
function isFinalSigma(cps: readonly number[], i: number): boolean {
  let j = i - 1;
  let cls: CaseClass = 'other';
  for (; j >= 0; j--) {
    cls = caseClass(cps[j]!);
    if (cls !== 'ignorable') break;
  }
  if (j < 0 || cls !== 'cased') return false;
  for (j = i + 1; j < cps.length; j++) {
    cls = caseClass(cps[j]!);
    if (cls !== 'ignorable') break;
  }
  return j === cps.length || cls !== 'cased';
}

/** Python 3.11 `str.lower()`, independent of the JS engine's Unicode tables. */
export function pythonLower(text: string): string {
  const table = getLowerTable();
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  let out = '';
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp < 0x80) {
      out += cp >= 0x41 && cp <= 0x5a ? String.fromCharCode(cp + 32) : String.fromCharCode(cp);
      continue;
    }
    if (cp === 0x3a3) {
      out += isFinalSigma(cps, i) ? '\u03c2' : '\u03c3';
      continue;
    }
    const multi = PY_LOWER_MULTI.get(cp);
    if (multi !== undefined) {
      out += multi;
      continue;
    }
    const mapped = table.get(cp);
    out += String.fromCodePoint(mapped ?? cp);
  }
  return out;
}

/** `text.translate(str.maketrans("", "", string.punctuation))`: ASCII punctuation only. */
export function removePunctuation(text: string): string {
  return text.replace(PUNCT_RE, '');
}

/** `re.sub(r"\s+", " ", text)` with Python's str `\s`. */
export function collapseWhitespace(text: string): string {
  return text.replace(WS_RUN, ' ');
}

/** `str.strip()` with no argument (Python whitespace set). */
export function pythonStrip(text: string): string {
  return text.replace(WS_LEAD, '').replace(WS_TRAIL, '');
}

/** SiglipTokenizer's canonical form: lower, drop ASCII punctuation, collapse whitespace, strip. */
export function canonicalizeText(text: string): string {
  return pythonStrip(collapseWhitespace(removePunctuation(pythonLower(text))));
}
