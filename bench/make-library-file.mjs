#!/usr/bin/env node
/**
 * Writes a library file in the export format (issue 10: safetensors, tensor `embeddings` F32 [N, D],
 * `__metadata__` format/model/ids/names) with N random embeddings, as Python would for photos
 * embedded elsewhere. For the reopen/search/tag bench cases; not in git.
 *   node bench/make-library-file.mjs OUT.safetensors N [D=768] [MODEL=bench]
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createHash } from 'node:crypto';

const [out, nArg, dArg = '768', model = 'bench'] = process.argv.slice(2);
if (!out || !nArg) {
  console.error('usage: node bench/make-library-file.mjs OUT.safetensors N [D=768] [MODEL]');
  process.exit(2);
}
const n = Number(nArg);
const d = Number(dArg);
const ids = Array.from({ length: n }, (_, i) => createHash('sha256').update(`bench photo ${i}`).digest('hex'));
const names = ids.map((_, i) => `IMG_${String(i).padStart(6, '0')}.jpg`);
const header = {
  __metadata__: { format: 'siglip-web-library/1', model, ids: JSON.stringify(ids), names: JSON.stringify(names) },
  embeddings: { dtype: 'F32', shape: [n, d], data_offsets: [0, n * d * 4] },
};
let json = JSON.stringify(header);
json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // data starts 8-byte aligned
const size = Buffer.alloc(8);
size.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));

const stream = createWriteStream(out);
stream.write(size);
stream.write(json);
// Deterministic pseudo-random features with a shared offset, like real (non-normalized) pooled outputs.
let s = 12345;
const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
const ROWS = 1000;
for (let r = 0; r < n; r += ROWS) {
  const rows = Math.min(ROWS, n - r);
  const chunk = new Float32Array(rows * d);
  for (let i = 0; i < chunk.length; i++) chunk[i] = rand() * 2 + ((i % d) % 7 === 0 ? 0.3 : 0);
  if (!stream.write(Buffer.from(chunk.buffer))) await once(stream, 'drain');
}
stream.end();
await once(stream, 'finish');
console.log(`wrote ${out}: [${n}, ${d}] F32, ${(8 + Buffer.byteLength(json) + n * d * 4) / 2 ** 20 | 0} MiB`);
