/**
 * Storage of a library's normalized rows (float32, row-major) plus the scan that scores a query
 * against all of them. The rows live in a WebAssembly memory so the SIMD kernel (simd-scan.ts) can
 * read them in place; where WebAssembly SIMD is unavailable, or the dimension is not a multiple
 * of 4, they live in a plain Float32Array and a JavaScript loop with the same arithmetic runs.
 * Either way the similarities are the same float64 numbers.
 */
import { SiglipError } from '../errors.js';
import { l2NormalizeInto } from './scores.js';
import { instantiateKernels, simdScanModule, type RowKernels } from './simd-scan.js';

const PAGE = 65536;
/** wasm32 addresses 4 GiB; past that (≈1.3 M rows of 768) the rows move to a JavaScript array. */
const MAX_WASM_BYTES = 4 * 1024 * 1024 * 1024 - PAGE;

interface WasmBacking {
  readonly memory: WebAssembly.Memory;
  readonly kernels: RowKernels;
}

export class RowStore {
  private wasm: WasmBacking | undefined;
  private plain: Float32Array | undefined;
  private view: Float32Array;
  private scores: Float64Array = new Float64Array(0);
  private capacity: number;

  constructor(readonly dim: number, capacity: number, simd = true) {
    this.capacity = Math.max(1, capacity);
    const module = simd && dim > 0 && dim % 4 === 0 ? simdScanModule() : null;
    if (module) {
      try {
        const memory = new WebAssembly.Memory({ initial: this.pagesFor(this.capacity) });
        this.wasm = { memory, kernels: instantiateKernels(module, memory) };
      } catch {
        // Address space or memory refused: the JavaScript path needs no contiguous reservation.
        this.wasm = undefined;
      }
    }
    if (!this.wasm) this.plain = new Float32Array(this.capacity * dim);
    this.view = this.rowsView();
  }

  /** Rows × dim float32 of capacity; call again after reserve() (growing moves the buffer). */
  get data(): Float32Array {
    return this.view;
  }

  /** Makes room for `rows` rows, keeping the first `used` rows. */
  reserve(rows: number, used: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, this.capacity * 2);
    if (this.wasm) {
      const pages = this.pagesFor(capacity);
      const have = this.wasm.memory.buffer.byteLength / PAGE;
      try {
        if (pages * PAGE > MAX_WASM_BYTES) throw new RangeError('past wasm32 memory');
        this.wasm.memory.grow(pages - have);
        this.capacity = capacity;
        this.view = this.rowsView();
        return;
      } catch {
        const kept = this.view.slice(0, used * this.dim);
        this.wasm = undefined;
        this.plain = new Float32Array(capacity * this.dim);
        this.plain.set(kept);
        this.capacity = capacity;
        this.view = this.rowsView();
        return;
      }
    }
    const grown = new Float32Array(capacity * this.dim);
    grown.set(this.view.subarray(0, used * this.dim));
    this.plain = grown;
    this.capacity = capacity;
    this.view = this.rowsView();
  }

  /**
   * Writes `l2NormalizeInto` of the `raw.length / dim` rows of `raw` at rows `first`…: the same
   * float32 numbers either way (the WebAssembly kernel repeats the JavaScript arithmetic).
   * Room must have been reserved.
   */
  setNormalized(first: number, raw: Float32Array): void {
    const d = this.dim;
    const count = raw.length / d;
    if (this.wasm) {
      this.view.set(raw, first * d);
      this.wasm.kernels.normalize(first * d * 4, count, d);
      return;
    }
    for (let i = 0; i < count; i++) l2NormalizeInto(raw, i * d, d, this.view, (first + i) * d);
  }

  /**
   * query · row for the first `rows` rows, as float64. The returned array is reused: it is valid
   * until the next call or reserve().
   */
  similarities(query: Float32Array, rows: number): Float64Array {
    const d = this.dim;
    if (query.length !== d) throw new SiglipError('INVALID_INPUT', `The query has ${query.length} dimensions, the library ${d}`);
    if (this.wasm) {
      const queryAt = this.capacity * d * 4;
      const outAt = queryAt + d * 8;
      const buffer = this.wasm.memory.buffer;
      new Float64Array(buffer, queryAt, d).set(query);
      this.wasm.kernels.scan(0, queryAt, outAt, rows, d);
      return new Float64Array(buffer, outAt, rows);
    }
    if (this.scores.length < rows) this.scores = new Float64Array(Math.max(rows, this.capacity));
    scanRows(this.view, query, rows, d, this.scores);
    return this.scores.subarray(0, rows);
  }

  /** Rows, then the query (dim float64) and the scores (capacity float64) of the kernel. */
  private pagesFor(capacity: number): number {
    return Math.ceil((capacity * this.dim * 4 + this.dim * 8 + capacity * 8) / PAGE);
  }

  private rowsView(): Float32Array {
    if (this.wasm) return new Float32Array(this.wasm.memory.buffer, 0, this.capacity * this.dim);
    return this.plain as Float32Array;
  }
}

/**
 * The reference scan (and the fallback): four running float64 sums over i ≡ 0..3 mod 4, the
 * remainder into the first, added as ((s0 + s1) + s2) + s3. Eight elements per turn only to cut
 * loop overhead; the order of additions into each sum is unchanged.
 */
export function scanRows(data: Float32Array, q: Float32Array, rows: number, d: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let p = r * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 7 < d; i += 8, p += 8) {
      s0 += (data[p] as number) * (q[i] as number);
      s1 += (data[p + 1] as number) * (q[i + 1] as number);
      s2 += (data[p + 2] as number) * (q[i + 2] as number);
      s3 += (data[p + 3] as number) * (q[i + 3] as number);
      s0 += (data[p + 4] as number) * (q[i + 4] as number);
      s1 += (data[p + 5] as number) * (q[i + 5] as number);
      s2 += (data[p + 6] as number) * (q[i + 6] as number);
      s3 += (data[p + 7] as number) * (q[i + 7] as number);
    }
    for (; i + 3 < d; i += 4, p += 4) {
      s0 += (data[p] as number) * (q[i] as number);
      s1 += (data[p + 1] as number) * (q[i + 1] as number);
      s2 += (data[p + 2] as number) * (q[i + 2] as number);
      s3 += (data[p + 3] as number) * (q[i + 3] as number);
    }
    for (; i < d; i++, p++) s0 += (data[p] as number) * (q[i] as number);
    out[r] = s0 + s1 + s2 + s3;
  }
}
