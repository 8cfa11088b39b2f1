/**
 * The entropy-coding layer of WebP lossless (VP8L, RFC 9649 §3.7): an LSB-first bit reader and
 * canonical prefix codes read from the bitstream. Kept apart from the pixel logic in
 * vp8l-decode.ts so each stays small.
 */
import { SiglipError } from '../../errors.js';

export function vp8lError(label: string, message: string): SiglipError {
  return new SiglipError('IMAGE_DECODE', `${label}: lossless WebP ${message}`);
}

/** Reads bits least-significant first, as VP8L stores them. Reading past the end is reported by `overrun`. */
export class BitReader {
  private pos = 0; // in bits
  private readonly end: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly label: string,
  ) {
    this.end = bytes.length * 8;
  }

  /** The next 24 bits without consuming them (zeros past the end). */
  peek(): number {
    const b = this.bytes;
    const i = this.pos >>> 3;
    const word = (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24);
    return (word >>> (this.pos & 7)) & 0xffffff;
  }

  skip(n: number): void {
    this.pos += n;
  }

  read(n: number): number {
    if (n === 0) return 0;
    const v = this.peek() & ((1 << n) - 1);
    this.pos += n;
    return v;
  }

  get overrun(): boolean {
    return this.pos > this.end;
  }

  /** Throws when the stream has been read past its end (the file is truncated). */
  checkNotTruncated(): void {
    if (this.overrun) throw vp8lError(this.label, 'data is truncated');
  }
}

const ROOT_BITS = 8;
const MAX_CODE_LENGTH = 15;
const SUBTABLE_FLAG = 1 << 30;

/**
 * A decoding table for one canonical prefix code. Root entries are indexed by the next 8 bits;
 * longer codes go through a second-level table. Entry = length << 16 | symbol.
 */
export class PrefixCode {
  private constructor(private readonly table: Int32Array) {}

  /** Builds the code from per-symbol lengths; null when the lengths do not form a complete code. */
  static fromLengths(lengths: Uint8Array | readonly number[], alphabetSize: number): PrefixCode | null {
    const count = new Int32Array(MAX_CODE_LENGTH + 1);
    let used = 0;
    let onlySymbol = 0;
    for (let s = 0; s < alphabetSize; s++) {
      const len = lengths[s] ?? 0;
      if (len > 0) {
        count[len]++;
        used++;
        onlySymbol = s;
      }
    }
    if (used === 0) return null;
    // A single used symbol is coded with zero bits.
    if (used === 1) return new PrefixCode(new Int32Array(1 << ROOT_BITS).fill(onlySymbol));
    let space = 1 << MAX_CODE_LENGTH;
    for (let len = 1; len <= MAX_CODE_LENGTH; len++) space -= count[len] << (MAX_CODE_LENGTH - len);
    if (space !== 0) return null; // over-subscribed or incomplete
    // Canonical codes: first code of each length.
    const nextCode = new Int32Array(MAX_CODE_LENGTH + 2);
    let code = 0;
    for (let len = 1; len <= MAX_CODE_LENGTH; len++) {
      code = (code + count[len - 1]) << 1;
      nextCode[len] = code;
    }
    // Subtable size needed under each root prefix: the longest code sharing it.
    const subBits = new Int32Array(1 << ROOT_BITS);
    const codes: [number, number, number][] = [];
    for (let s = 0; s < alphabetSize; s++) {
      const len = lengths[s] ?? 0;
      if (len === 0) continue;
      const rev = reverseBits(nextCode[len]++, len);
      codes.push([s, len, rev]);
      if (len > ROOT_BITS) {
        const root = rev & ((1 << ROOT_BITS) - 1);
        subBits[root] = Math.max(subBits[root], len - ROOT_BITS);
      }
    }
    let size = 1 << ROOT_BITS;
    const subOffset = new Int32Array(1 << ROOT_BITS);
    for (let r = 0; r < 1 << ROOT_BITS; r++) {
      if (subBits[r] > 0) {
        subOffset[r] = size;
        size += 1 << subBits[r];
      }
    }
    const table = new Int32Array(size);
    for (let r = 0; r < 1 << ROOT_BITS; r++) {
      if (subBits[r] > 0) table[r] = SUBTABLE_FLAG | (subBits[r] << 16) | subOffset[r];
    }
    for (const [symbol, len, rev] of codes) {
      const entry = (len << 16) | symbol;
      if (len <= ROOT_BITS) {
        for (let i = rev; i < 1 << ROOT_BITS; i += 1 << len) table[i] = entry;
      } else {
        const root = rev & ((1 << ROOT_BITS) - 1);
        const bits = subBits[root];
        const base = subOffset[root];
        for (let i = rev >>> ROOT_BITS; i < 1 << bits; i += 1 << (len - ROOT_BITS)) table[base + i] = entry;
      }
    }
    return new PrefixCode(table);
  }

  read(br: BitReader): number {
    const bits = br.peek();
    const entry = this.table[bits & ((1 << ROOT_BITS) - 1)];
    if ((entry & SUBTABLE_FLAG) === 0) {
      br.skip(entry >>> 16);
      return entry & 0xffff;
    }
    const sub = this.table[(entry & 0xffff) + ((bits >>> ROOT_BITS) & ((1 << ((entry >>> 16) & 0xff)) - 1))];
    br.skip(sub >>> 16);
    return sub & 0xffff;
  }
}

function reverseBits(value: number, length: number): number {
  let out = 0;
  for (let i = 0; i < length; i++) {
    out = (out << 1) | (value & 1);
    value >>>= 1;
  }
  return out;
}

const CODE_LENGTH_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/** Reads one prefix code for an alphabet of `alphabetSize` symbols (simple or normal form). */
export function readPrefixCode(br: BitReader, alphabetSize: number, label: string): PrefixCode {
  const lengths = new Uint8Array(alphabetSize);
  if (br.read(1) === 1) {
    // Simple code: one or two symbols, the first with a 1- or 8-bit value.
    const numSymbols = br.read(1) + 1;
    const first = br.read(br.read(1) === 1 ? 8 : 1);
    if (first >= alphabetSize) throw vp8lError(label, 'has an invalid prefix code');
    lengths[first] = 1;
    if (numSymbols === 2) {
      const second = br.read(8);
      if (second >= alphabetSize) throw vp8lError(label, 'has an invalid prefix code');
      lengths[second] = 1;
    }
  } else {
    const codeLengthLengths = new Uint8Array(19);
    const numCodes = br.read(4) + 4;
    for (let i = 0; i < numCodes; i++) codeLengthLengths[CODE_LENGTH_ORDER[i]] = br.read(3);
    const lengthCode = PrefixCode.fromLengths(codeLengthLengths, 19);
    if (!lengthCode) throw vp8lError(label, 'has an invalid code-length code');
    let maxSymbol = alphabetSize;
    if (br.read(1) === 1) {
      const lengthBits = 2 + 2 * br.read(3);
      maxSymbol = 2 + br.read(lengthBits);
      if (maxSymbol > alphabetSize) throw vp8lError(label, 'has an invalid code-length count');
    }
    let previous = 8;
    let symbol = 0;
    while (symbol < alphabetSize) {
      if (maxSymbol-- === 0) break;
      if (br.overrun) throw vp8lError(label, 'data is truncated');
      const len = lengthCode.read(br);
      if (len < 16) {
        lengths[symbol++] = len;
        if (len !== 0) previous = len;
        continue;
      }
      const slot = len - 16;
      const repeat = br.read([2, 3, 7][slot]) + [3, 3, 11][slot];
      if (symbol + repeat > alphabetSize) throw vp8lError(label, 'has an invalid code-length repeat');
      lengths.fill(len === 16 ? previous : 0, symbol, symbol + repeat);
      symbol += repeat;
    }
  }
  br.checkNotTruncated();
  const code = PrefixCode.fromLengths(lengths, alphabetSize);
  if (!code) throw vp8lError(label, 'has an invalid prefix code');
  return code;
}
