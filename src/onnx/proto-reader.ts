import type { ByteSource } from './byte-source.js';

/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/). */
export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class ProtoFormatError extends Error {}

export interface Tag {
  field: number;
  wire: number;
}

const utf8 = new TextDecoder();

/**
 * A cursor over a {@link ByteSource} that never materializes more than it is asked for: lengths
 * are read, payloads are either read (small) or skipped by moving the cursor, which is what lets
 * the ONNX walker step over gigabytes of weights.
 *
 * Varints are decoded with multiplication rather than bit shifts so offsets above 2^31 stay exact.
 */
export class ProtoReader {
  constructor(
    private readonly src: ByteSource,
    public pos: number,
    /** Exclusive end of the current message; Infinity when only EOF bounds it. */
    public readonly end: number,
  ) {}

  /** A reader for a nested message of `length` bytes starting at the cursor. */
  sub(length: number): ProtoReader {
    const end = this.pos + length;
    if (end > this.end) throw new ProtoFormatError(`nested message at ${this.pos} (+${length}) overruns its parent ending at ${this.end}`);
    return new ProtoReader(this.src, this.pos, end);
  }

  /** Next tag, or null at the end of the message / file. */
  async tag(): Promise<Tag | null> {
    if (this.pos >= this.end) return null;
    if (this.end === Infinity) {
      const probe = await this.src.read(this.pos, 1);
      if (probe.length === 0) return null;
    }
    const key = await this.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new ProtoFormatError(`invalid field number 0 at ${this.pos}`);
    return { field, wire };
  }

  async varint(): Promise<number> {
    const want = Math.min(10, this.end - this.pos);
    const bytes = await this.src.read(this.pos, want);
    let value = 0;
    let mul = 1;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      value += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        this.pos += i + 1;
        return value;
      }
      mul *= 128;
    }
    throw new ProtoFormatError(bytes.length < want ? `file ends inside a varint at ${this.pos}` : `unterminated varint at ${this.pos}`);
  }

  /** Reads exactly `n` bytes; a short read means the file is truncated. */
  async bytes(n: number): Promise<Uint8Array> {
    if (this.pos + n > this.end) throw new ProtoFormatError(`field at ${this.pos} (+${n}) overruns its message ending at ${this.end}`);
    const out = await this.src.read(this.pos, n);
    if (out.length !== n) throw new ProtoFormatError(`file ends at ${this.pos + out.length}, inside a field that needs ${n} bytes from ${this.pos}`);
    this.pos += n;
    return out;
  }

  async string(n: number): Promise<string> {
    return utf8.decode(await this.bytes(n));
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw new ProtoFormatError(`field at ${this.pos} (+${n}) overruns its message ending at ${this.end}`);
    this.pos += n;
  }

  /** Skips the payload of a field whose tag was just read. */
  async skipValue(wire: number): Promise<void> {
    switch (wire) {
      case WIRE_VARINT:
        await this.varint();
        return;
      case WIRE_I64:
        this.skip(8);
        return;
      case WIRE_LEN:
        this.skip(await this.varint());
        return;
      case WIRE_I32:
        this.skip(4);
        return;
      default:
        // Groups (3/4) are not used by onnx.proto; anything else is corruption.
        throw new ProtoFormatError(`unsupported wire type ${wire} before ${this.pos}`);
    }
  }
}

/** Synchronous varint decode from memory (packed repeated fields, tail probing). */
export function decodeVarint(bytes: Uint8Array, at: number): { value: number; next: number } | null {
  let value = 0;
  let mul = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i];
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
    mul *= 128;
  }
  return null;
}

export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
