/**
 * A tiny WebAssembly kernel for the library's search scan: the cosine of a query against every
 * stored row. It does exactly the float64 arithmetic of the plain JavaScript scan (four running
 * sums s0..s3 over elements i ≡ 0..3 mod 4, each float32×float32 product exact in float64, then
 * ((s0 + s1) + s2) + s3), only two lanes at a time with f64x2: lanes (s0, s1) and (s2, s3). So
 * the similarities are bit-identical to the JavaScript fallback, about 5–8× faster (the scan of
 * 100,000 × 768 rows is bound by memory bandwidth instead of scalar loads and bounds checks).
 *
 * The module is assembled here from its few instructions instead of shipping a .wasm file: it is
 * ~250 bytes, needs no fetch or bundler support, and compiles synchronously (under the 4 KB limit
 * Chromium puts on synchronous compilation on a page's main thread, for the inline engine).
 */

/** scan(dataPtr, queryPtr, outPtr, rows, dim): out[r] = Σ data[r·dim + i]·query[i] (float64). */
export type ScanFunction = (dataPtr: number, queryPtr: number, outPtr: number, rows: number, dim: number) => void;

/**
 * normalize(dataPtr, rows, dim): l2NormalizeInto (scores.ts) on each float32 row, in place, with
 * the same operations in the same order (float64 sum of squares in index order, sqrt, float64
 * division rounded to float32; an all-zero row stays 0, a non-finite one becomes NaN), so the
 * rows are bit-identical to the JavaScript normalization, several times faster.
 */
export type NormalizeFunction = (dataPtr: number, rows: number, dim: number) => void;

export interface RowKernels {
  readonly scan: ScanFunction;
  readonly normalize: NormalizeFunction;
}

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates];
const get = (local: number): number[] => [0x20, local];
const set = (local: number): number[] => [0x21, local];
const tee = (local: number): number[] => [0x22, local];
const i32 = (value: number): number[] => [0x41, ...uleb(value)]; // constants below 64 only (signed LEB128)
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// Parameters 0..4, then locals: 5 query cursor, 6 row end (i32); 7 (s0, s1), 8 (s2, s3), 9 four floats (v128).
const [DATA, QUERY, OUT, ROWS, DIM, QP, END, S01, S23, V] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
const V128_LOAD = (offset: number): number[] => simd(0x00, 4, ...uleb(offset));
const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
const F64X2_PROMOTE_LOW_F32X4 = simd(0x5f);
const F64X2_ADD = simd(0xf0);
const F64X2_MUL = simd(0xf2);
const F64X2_LANE = (lane: number): number[] => simd(0x21, lane);
const F64_ADD = [0xa0];
const F64 = 0x7c;
const F32 = 0x7d;
const F32_LOAD = [0x2a, 2, 0];
const F32_STORE = [0x38, 2, 0];
const F64_ZERO = [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
const [PROMOTE, DEMOTE, F64_SUB, F64_MUL, F64_DIV, F64_SQRT, F64_EQ, F64_NE] = [0xbb, 0xb6, 0xa1, 0xa2, 0xa3, 0x9f, 0x61, 0x62];

function scanBody(): number[] {
  return [
    0x02, 0x40, // block $done
    0x03, 0x40, // loop $rows
    ...get(ROWS), 0x45, 0x0d, 1, // if rows == 0: break $done
    ...V128_ZERO, ...set(S01), ...V128_ZERO, ...set(S23), ...get(QUERY), ...set(QP),
    ...get(DATA), ...get(DIM), ...i32(2), 0x74, 0x6a, ...set(END), // end = data + dim·4
    0x03, 0x40, // loop $elements: four floats of the row per turn
    ...get(DATA), ...V128_LOAD(0), ...set(V),
    // (s0, s1) += promote(v[0], v[1]) · (q[i], q[i+1])
    ...get(S01), ...get(V), ...F64X2_PROMOTE_LOW_F32X4, ...get(QP), ...V128_LOAD(0), ...F64X2_MUL, ...F64X2_ADD, ...set(S01),
    // (s2, s3) += promote(v[2], v[3]) · (q[i+2], q[i+3])
    ...get(S23), ...get(V), ...get(V), ...simd(0x0d, ...HIGH_HALF), ...F64X2_PROMOTE_LOW_F32X4, ...get(QP), ...V128_LOAD(16), ...F64X2_MUL, ...F64X2_ADD, ...set(S23),
    ...get(QP), ...i32(32), 0x6a, ...set(QP),
    ...get(DATA), ...i32(16), 0x6a, ...tee(DATA), ...get(END), 0x49, 0x0d, 0, // while data < end
    0x0b,
    // out[r] = ((s0 + s1) + s2) + s3
    ...get(OUT),
    ...get(S01), ...F64X2_LANE(0), ...get(S01), ...F64X2_LANE(1), ...F64_ADD,
    ...get(S23), ...F64X2_LANE(0), ...F64_ADD, ...get(S23), ...F64X2_LANE(1), ...F64_ADD,
    0x39, 3, 0, // f64.store
    ...get(OUT), ...i32(8), 0x6a, ...set(OUT),
    ...get(ROWS), ...i32(1), 0x6b, ...set(ROWS),
    0x0c, 0, // continue $rows
    0x0b, 0x0b, 0x0b,
  ];
}

// normalize: parameters 0..2; locals i32 3 cursor, 4 row end, 5 row stride (bytes), 6 row start;
// f64 7 sum of squares, 8..11 four rows' sums, 12 element; f32 13 fill; v128 14 four floats, 15 (norm, norm).
const [ROW, NROWS, NDIM, P, ROW_END, STRIDE, RS, SS, SA, SB, SC, SD, X, FILL, V4, NN] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] as const;
const V128_STORE = simd(0x0b, 4, 0);
const F64X2_SPLAT = simd(0x14);
const F64X2_DIV = simd(0xf3);
const F32X4_DEMOTE_F64X2_ZERO = simd(0x5e);
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** `p = rowStart; loop { body; p += step; while p < rowEnd }`. */
const overRow = (body: number[], step = 4): number[] => [
  ...get(RS), ...set(P),
  0x03, 0x40, ...body, ...get(P), ...i32(step), 0x6a, ...tee(P), ...get(ROW_END), 0x49, 0x0d, 0, 0x0b,
];

/** sum = sum + x·x for x = the float32 at cursor + `strides` rows (the JavaScript `ss += v * v`). */
const addSquare = (sum: number, strides: number): number[] => [
  ...get(P), ...(strides === 0 ? [] : [...get(STRIDE), ...i32(strides), 0x6c, 0x6a]),
  ...F32_LOAD, PROMOTE, ...tee(X), ...get(X), F64_MUL, ...get(sum), ...F64_ADD, ...set(sum),
];

/** The row at RS with sum of squares SS: 0/NaN fill, or each element divided by the norm (two lanes at a time, same rounding). */
function finishRow(): number[] {
  return [
    ...get(RS), ...get(STRIDE), 0x6a, ...set(ROW_END),
    // ss == 0 or not finite (ss - ss is 0 only for finite ss): fill with 0 or NaN, which is ss - ss
    ...get(SS), ...F64_ZERO, F64_EQ, ...get(SS), ...get(SS), F64_SUB, ...F64_ZERO, F64_NE, 0x72,
    0x04, 0x40,
    ...get(SS), ...get(SS), F64_SUB, DEMOTE, ...set(FILL),
    ...overRow([...get(P), ...get(FILL), ...F32_STORE]),
    0x05,
    ...get(SS), F64_SQRT, ...F64X2_SPLAT, ...set(NN),
    ...overRow([
      ...get(P), ...V128_LOAD(0), ...set(V4),
      ...get(P),
      ...get(V4), ...F64X2_PROMOTE_LOW_F32X4, ...get(NN), ...F64X2_DIV, ...F32X4_DEMOTE_F64X2_ZERO,
      ...get(V4), ...get(V4), ...simd(0x0d, ...HIGH_HALF), ...F64X2_PROMOTE_LOW_F32X4, ...get(NN), ...F64X2_DIV, ...F32X4_DEMOTE_F64X2_ZERO,
      ...simd(0x0d, ...LOW_HALVES), ...V128_STORE,
    ], 16),
    0x0b,
  ];
}

/**
 * Rows four at a time (their four sums are independent chains the CPU overlaps; each keeps its own
 * index order), then the remaining rows one by one. Needs dim % 4 == 0 (RowStore checks).
 */
function normalizeBody(): number[] {
  const rowAt = (k: number): number[] => [...get(ROW), ...(k === 0 ? [] : [...get(STRIDE), ...i32(k), 0x6c, 0x6a]), ...set(RS)];
  return [
    ...get(NDIM), ...i32(2), 0x74, ...set(STRIDE),
    0x02, 0x40, // block $groupsDone
    0x03, 0x40, // loop $groups
    ...get(NROWS), ...i32(4), 0x49, 0x0d, 1, // rows < 4: break
    ...F64_ZERO, ...set(SA), ...F64_ZERO, ...set(SB), ...F64_ZERO, ...set(SC), ...F64_ZERO, ...set(SD),
    ...rowAt(0), ...get(RS), ...get(STRIDE), 0x6a, ...set(ROW_END),
    ...overRow([...addSquare(SA, 0), ...addSquare(SB, 1), ...addSquare(SC, 2), ...addSquare(SD, 3)]),
    ...rowAt(0), ...get(SA), ...set(SS), ...finishRow(),
    ...rowAt(1), ...get(SB), ...set(SS), ...finishRow(),
    ...rowAt(2), ...get(SC), ...set(SS), ...finishRow(),
    ...rowAt(3), ...get(SD), ...set(SS), ...finishRow(),
    ...get(ROW), ...get(STRIDE), ...i32(2), 0x74, 0x6a, ...set(ROW),
    ...get(NROWS), ...i32(4), 0x6b, ...set(NROWS),
    0x0c, 0,
    0x0b, 0x0b,
    0x02, 0x40, // block $done
    0x03, 0x40, // loop $rows
    ...get(NROWS), 0x45, 0x0d, 1, // rows == 0: break
    ...rowAt(0), ...get(RS), ...get(STRIDE), 0x6a, ...set(ROW_END),
    ...F64_ZERO, ...set(SS),
    ...overRow(addSquare(SS, 0)),
    ...finishRow(),
    ...get(ROW), ...get(STRIDE), 0x6a, ...set(ROW),
    ...get(NROWS), ...i32(1), 0x6b, ...set(NROWS),
    0x0c, 0,
    0x0b, 0x0b,
    0x0b, // end of function
  ];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const scan = [2, 2, I32, 3, V128, ...scanBody()]; // locals: 2 × i32, 3 × v128
  const normalize = [4, 4, I32, 6, F64, 1, F32, 2, V128, ...normalizeBody()]; // locals: 4 × i32, 6 × f64, 1 × f32, 2 × v128
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    // types: 0 = (i32 × 5) -> (), 1 = (i32 × 3) -> ()
    ...section(1, [2, 0x60, 5, I32, I32, I32, I32, I32, 0, 0x60, 3, I32, I32, I32, 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]), // import memory, min 1 page
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...name('scan'), 0x00, 0, ...name('normalize'), 0x00, 1]),
    ...section(10, [2, ...uleb(scan.length), ...scan, ...uleb(normalize.length), ...normalize]),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled kernel, or null where WebAssembly SIMD is unavailable (old engines, a CSP without
 * 'wasm-unsafe-eval'); callers then use the JavaScript scan, which gives the same numbers.
 */
export function simdScanModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** The kernels bound to `memory`. */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): RowKernels {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { scan: instance.exports['scan'] as ScanFunction, normalize: instance.exports['normalize'] as NormalizeFunction };
}
