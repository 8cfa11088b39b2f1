import { decodeVarint, ProtoFormatError, ProtoReader, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-reader.js';

/** onnx.proto TensorProto.DataType values this module can turn into numbers. */
export const DT_FLOAT = 1;
export const DT_FLOAT16 = 10;
export const DT_DOUBLE = 11;
export const DT_BFLOAT16 = 16;

export const DTYPE_NAMES: Readonly<Record<number, string>> = { 1: 'float32', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

/** Payloads up to this size are kept; anything bigger is a weight we only need to step over. */
const MAX_INLINE_PAYLOAD = 64;

export interface ExternalRef {
  location: string;
  offset: number;
  length?: number;
}

/** The header of a TensorProto plus the payload when it is small. */
export interface TensorInfo {
  name: string;
  dataType: number;
  dims: number[];
  /** Raw little-endian payload (raw_data) when small. */
  raw?: Uint8Array;
  /** Typed-field payload (float_data / int32_data / double_data) when small. */
  typed?: number[];
  external?: ExternalRef;
  /** Where the skipped raw_data lives, for diagnostics. */
  rawOffset?: number;
  rawLength?: number;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, d) => a * d, 1);
}

async function readPackedOrSingle(r: ProtoReader, wire: number, kind: 'f32' | 'f64' | 'varint', out: number[]): Promise<boolean> {
  if (wire === WIRE_LEN) {
    const n = await r.varint();
    if (n > MAX_INLINE_PAYLOAD * 2) {
      r.skip(n);
      return false;
    }
    const b = await r.bytes(n);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (kind === 'f32') for (let i = 0; i + 4 <= n; i += 4) out.push(dv.getFloat32(i, true));
    else if (kind === 'f64') for (let i = 0; i + 8 <= n; i += 8) out.push(dv.getFloat64(i, true));
    else {
      let at = 0;
      while (at < n) {
        const v = decodeVarint(b, at);
        if (v === null) throw new ProtoFormatError('bad packed varint in tensor');
        out.push(v.value);
        at = v.next;
      }
    }
    return true;
  }
  if (kind === 'f32' && wire === WIRE_I32) {
    const b = await r.bytes(4);
    out.push(new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true));
    return true;
  }
  if (kind === 'f64' && wire === WIRE_I64) {
    const b = await r.bytes(8);
    out.push(new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true));
    return true;
  }
  if (kind === 'varint' && wire === WIRE_VARINT) {
    out.push(await r.varint());
    return true;
  }
  await r.skipValue(wire);
  return false;
}

async function readExternalEntry(r: ProtoReader): Promise<[string, string]> {
  let key = '';
  let value = '';
  for (let t = await r.tag(); t !== null; t = await r.tag()) {
    if (t.wire === WIRE_LEN && (t.field === 1 || t.field === 2)) {
      const s = await r.string(await r.varint());
      if (t.field === 1) key = s;
      else value = s;
    } else await r.skipValue(t.wire);
  }
  return [key, value];
}

/** Parses a TensorProto whose bytes are `r` (already bounded to the message). */
export async function readTensor(r: ProtoReader): Promise<TensorInfo> {
  const t: TensorInfo = { name: '', dataType: 0, dims: [] };
  const typed: number[] = [];
  let typedComplete = true;
  const ext = new Map<string, string>();
  let dataLocation = 0;
  for (let tag = await r.tag(); tag !== null; tag = await r.tag()) {
    switch (tag.field) {
      case 1:
        await readPackedOrSingle(r, tag.wire, 'varint', t.dims);
        break;
      case 2:
        if (tag.wire !== WIRE_VARINT) throw new ProtoFormatError('TensorProto.data_type is not a varint');
        t.dataType = await r.varint();
        break;
      case 4:
        typedComplete = (await readPackedOrSingle(r, tag.wire, 'f32', typed)) && typedComplete;
        break;
      case 5:
        // float16/bfloat16 without raw_data are stored as uint16 bit patterns in int32_data.
        typedComplete = (await readPackedOrSingle(r, tag.wire, 'varint', typed)) && typedComplete;
        break;
      case 10:
        typedComplete = (await readPackedOrSingle(r, tag.wire, 'f64', typed)) && typedComplete;
        break;
      case 8:
        if (tag.wire !== WIRE_LEN) throw new ProtoFormatError('TensorProto.name is not length-delimited');
        t.name = await r.string(await r.varint());
        break;
      case 9: {
        if (tag.wire !== WIRE_LEN) throw new ProtoFormatError('TensorProto.raw_data is not length-delimited');
        const n = await r.varint();
        t.rawOffset = r.pos;
        t.rawLength = n;
        if (n <= MAX_INLINE_PAYLOAD) t.raw = await r.bytes(n);
        else r.skip(n);
        break;
      }
      case 13: {
        if (tag.wire !== WIRE_LEN) throw new ProtoFormatError('TensorProto.external_data is not length-delimited');
        const entry = r.sub(await r.varint());
        const [k, v] = await readExternalEntry(entry);
        r.pos = entry.end;
        ext.set(k, v);
        break;
      }
      case 14:
        dataLocation = await r.varint();
        break;
      default:
        await r.skipValue(tag.wire);
    }
  }
  if (typed.length > 0 && typedComplete) t.typed = typed;
  if (dataLocation === 1) {
    const location = ext.get('location');
    if (location === undefined) throw new ProtoFormatError(`tensor ${t.name} is external but has no location`);
    t.external = { location, offset: Number(ext.get('offset') ?? '0') };
    const length = ext.get('length');
    if (length !== undefined) t.external.length = Number(length);
  }
  return t;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function bfloatToFloat(h: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, (h & 0xffff) << 16, false);
  return dv.getFloat32(0, false);
}

/**
 * Decodes a small floating-point tensor. `raw` overrides the inline payload (external data).
 * Returns null for dtypes that cannot hold logit_scale/logit_bias.
 */
export function decodeFloats(t: TensorInfo, raw: Uint8Array | undefined = t.raw): number[] | null {
  const n = elementCount(t.dims);
  if (raw !== undefined) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const width = t.dataType === DT_FLOAT ? 4 : t.dataType === DT_DOUBLE ? 8 : t.dataType === DT_FLOAT16 || t.dataType === DT_BFLOAT16 ? 2 : 0;
    if (width === 0 || raw.byteLength !== n * width) return null;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      if (t.dataType === DT_FLOAT) out.push(dv.getFloat32(i * 4, true));
      else if (t.dataType === DT_DOUBLE) out.push(dv.getFloat64(i * 8, true));
      else if (t.dataType === DT_FLOAT16) out.push(halfToFloat(dv.getUint16(i * 2, true)));
      else out.push(bfloatToFloat(dv.getUint16(i * 2, true)));
    }
    return out;
  }
  if (t.typed === undefined || t.typed.length !== n) return null;
  if (t.dataType === DT_FLOAT || t.dataType === DT_DOUBLE) return t.typed.slice();
  if (t.dataType === DT_FLOAT16) return t.typed.map(halfToFloat);
  if (t.dataType === DT_BFLOAT16) return t.typed.map(bfloatToFloat);
  return null;
}
