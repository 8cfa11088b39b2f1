import { describe, expect, it } from 'vitest';
import { identityModelBytes } from '../../../src/onnx/identity-model.js';
import { memorySource } from '../../../src/onnx/byte-source.js';
import { ProtoReader, WIRE_LEN } from '../../../src/onnx/proto-reader.js';

type Fields = Map<number, (number | Uint8Array)[]>;

async function fields(bytes: Uint8Array): Promise<Fields> {
  const r = new ProtoReader(memorySource(bytes), 0, bytes.length);
  const out: Fields = new Map();
  for (let t = await r.tag(); t; t = await r.tag()) {
    const value = t.wire === WIRE_LEN ? await r.bytes(await r.varint()) : await r.varint();
    out.set(t.field, [...(out.get(t.field) ?? []), value]);
  }
  return out;
}
const text = (v: number | Uint8Array | undefined): string => new TextDecoder().decode(v as Uint8Array);
const first = async (bytes: number | Uint8Array | undefined, field: number) => (await fields(bytes as Uint8Array)).get(field)?.[0];

describe('identityModelBytes: the model that starts onnxruntime before the real ones', () => {
  it('is an ONNX ModelProto (IR 8, opset 13) whose graph is y = Identity(x) on float32[1]', async () => {
    const model = await fields(identityModelBytes());
    expect(model.get(1)).toEqual([8]);
    expect(await first(model.get(8)?.[0], 2)).toBe(13);
    const graph = await fields(model.get(7)?.[0] as Uint8Array);
    const node = await fields(graph.get(1)?.[0] as Uint8Array);
    expect([text(node.get(1)?.[0]), text(node.get(2)?.[0]), text(node.get(4)?.[0])]).toEqual(['x', 'y', 'Identity']);
    for (const [field, name] of [[11, 'x'], [12, 'y']] as const) {
      const info = await fields(graph.get(field)?.[0] as Uint8Array);
      expect(text(info.get(1)?.[0])).toBe(name);
      const tensorType = await fields((await first(info.get(2)?.[0], 1)) as Uint8Array);
      expect(tensorType.get(1)).toEqual([1]); // FLOAT
      const dim = await first(tensorType.get(2)?.[0], 1);
      expect(await first(dim, 1)).toBe(1);
    }
  });
});
