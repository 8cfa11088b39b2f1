import { encodeVarint } from '../../../src/onnx/proto-reader.js';

/** Minimal protobuf writer for hand-made ONNX graphs (forms the fixtures do not use). */
type Bytes = number[];
const enc = new TextEncoder();

const key = (field: number, wire: number): Bytes => encodeVarint(field * 8 + wire);
export const vint = (field: number, v: number): Bytes => [...key(field, 0), ...encodeVarint(v)];
export const lenField = (field: number, payload: Bytes | Uint8Array): Bytes => [...key(field, 2), ...encodeVarint(payload.length), ...payload];
export const str = (field: number, s: string): Bytes => lenField(field, enc.encode(s));
export const f32 = (field: number, v: number): Bytes => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...key(field, 5), ...b];
};

export function float32Raw(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(b.buffer).setFloat32(i * 4, v, true));
  return b;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  raw?: Uint8Array;
  floatData?: number[];
  external?: { location: string; offset: number; length: number };
}

export function tensor(t: TensorSpec): Bytes {
  const out: Bytes = [];
  for (const d of t.dims) out.push(...vint(1, d));
  out.push(...vint(2, 1));
  if (t.floatData !== undefined) out.push(...lenField(4, float32Raw(t.floatData)));
  out.push(...str(8, t.name));
  if (t.raw !== undefined) out.push(...lenField(9, t.raw));
  if (t.external !== undefined) {
    for (const [k, v] of [['location', t.external.location], ['offset', String(t.external.offset)], ['length', String(t.external.length)]]) {
      out.push(...lenField(13, [...str(1, k), ...str(2, v)]));
    }
    out.push(...vint(14, 1));
  }
  return out;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Constant only: a tensor `value` attribute. */
  value?: TensorSpec;
  valueFloat?: number;
}

export function node(n: NodeSpec): Bytes {
  const out: Bytes = [];
  for (const i of n.inputs) out.push(...str(1, i));
  for (const o of n.outputs) out.push(...str(2, o));
  out.push(...str(4, n.op));
  if (n.value !== undefined) out.push(...lenField(5, [...str(1, 'value'), ...lenField(5, tensor(n.value)), ...vint(20, 4)]));
  if (n.valueFloat !== undefined) out.push(...lenField(5, [...str(1, 'value_float'), ...f32(2, n.valueFloat), ...vint(20, 1)]));
  return out;
}

export function model(nodes: NodeSpec[], initializers: TensorSpec[], outputs: string[] = ['logits_per_text']): Uint8Array {
  const graph: Bytes = [];
  for (const n of nodes) graph.push(...lenField(1, node(n)));
  graph.push(...str(2, 'main_graph'));
  for (const t of initializers) graph.push(...lenField(5, tensor(t)));
  for (const o of outputs) graph.push(...lenField(12, str(1, o)));
  return Uint8Array.from([...vint(1, 8), ...str(2, 'test'), ...lenField(7, graph), ...lenField(8, vint(2, 17))]);
}

/** The node chain SiglipModel exports: Transpose(Add(Mul(MatMul(t, i), Exp(scale)), bias)). */
export function siglipHead(scale: string, bias: string, withExp = true): NodeSpec[] {
  const nodes: NodeSpec[] = [{ op: 'MatMul', inputs: ['text_embeds', 'image_embeds_t'], outputs: ['cos'] }];
  if (withExp) nodes.push({ op: 'Exp', inputs: [scale], outputs: ['scale_exp'] });
  nodes.push({ op: 'Mul', inputs: ['cos', withExp ? 'scale_exp' : scale], outputs: ['scaled'] });
  nodes.push({ op: 'Add', inputs: ['scaled', bias], outputs: ['logits_per_text'] });
  nodes.push({ op: 'Transpose', inputs: ['logits_per_text'], outputs: ['logits_per_image'] });
  return nodes;
}
