/**
 * The smallest useful ONNX model: y = Identity(x), x and y float32[1], opset 13. Creating a session
 * from it starts onnxruntime's WebAssembly runtime (compile, thread workers) on its own, before any
 * real model, so that start can be watched and timed apart from model size.
 */
const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const utf8 = new TextEncoder();

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

const intField = (field: number, value: number): number[] => [...varint((field << 3) | WIRE_VARINT), ...varint(value)];
const bytesField = (field: number, bytes: readonly number[]): number[] => [...varint((field << 3) | WIRE_LEN), ...varint(bytes.length), ...bytes];
const textField = (field: number, text: string): number[] => bytesField(field, [...utf8.encode(text)]);

/** ValueInfoProto { name, type: TypeProto { tensor_type { elem_type FLOAT, shape [1] } } }. */
function floatVector(name: string): number[] {
  const dim = bytesField(1, intField(1, 1));
  const tensorType = [...intField(1, 1), ...bytesField(2, dim)];
  return [...textField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

export function identityModelBytes(): Uint8Array {
  const node = [...textField(1, 'x'), ...textField(2, 'y'), ...textField(4, 'Identity')];
  const graph = [...bytesField(1, node), ...textField(2, 'siglip-web-runtime-start'), ...bytesField(11, floatVector('x')), ...bytesField(12, floatVector('y'))];
  // ModelProto: ir_version 8, graph, opset_import { version 13 } (default domain).
  return new Uint8Array([...intField(1, 8), ...bytesField(7, graph), ...bytesField(8, intField(2, 13))]);
}
