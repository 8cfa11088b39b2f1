import { SiglipError } from '../errors.js';
import { HttpNotFoundError, memorySource, openHttpSource, type ByteSource, type ByteSourceStats, type HttpByteSource } from './byte-source.js';
import { GraphTracer, refName, type LogitTrace, type NodeInfo, type ScalarRef } from './onnx-graph-trace.js';
import { decodeFloats, DT_DOUBLE, DTYPE_NAMES, elementCount, readTensor, type TensorInfo } from './onnx-tensor.js';
import { encodeVarint, ProtoFormatError, ProtoReader, WIRE_I32, WIRE_LEN, type Tag } from './proto-reader.js';

export type { ByteSource } from './byte-source.js';

export interface LogitParams {
  /** exp(logit_scale), the factor applied to the cosine similarity. */
  logitScaleExp: number;
  logitBias: number;
  /** Which file and tensors the values came from, and their stored dtype. */
  source: string;
}

export interface ReadFromSourceOptions {
  /** Name used in `source` and error messages. */
  label?: string;
  /** Opens a file referenced by ONNX external data (`location` is relative to the model file). */
  openExternal?: (location: string) => Promise<ByteSource>;
  /**
   * Look for the scalars in the last bytes of the graph before stepping through every weight
   * header. torch.onnx writes them last in fp32 exports; the hit is verified by a full parse.
   * Only used on random-access sources that would otherwise need a request per weight.
   */
  tailProbe?: boolean;
}

// onnx.proto field numbers.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_NAME = 1;
const ATTR_F = 2;
const ATTR_T = 5;
const ATTR_FLOATS = 7;
/** Graph fields that may follow an initializer; used to validate a tail-probe hit. */
const GRAPH_FIELDS_AFTER_INITIALIZER = new Set([5, 10, 11, 12, 13, 14, 15, 16]);

const PROBE_BYTES = 32 * 1024;
const TENSOR_NAME_TAG = 0x42; // field 8, wire type 2
const INITIALIZER_TAG = 0x2a; // graph field 5, wire type 2
const MAX_TENSOR_HEADER = 256;

const NAMED_SCALE = /(?:^|[./:])logit_scale$/;
const NAMED_BIAS = /(?:^|[./:])logit_bias$/;

function loadError(label: string, message: string, detail?: string): SiglipError {
  return new SiglipError('MODEL_LOAD', `Cannot read logit_scale/logit_bias from ${label}: ${message}`, detail);
}

async function readAttribute(r: ProtoReader, node: NodeInfo): Promise<void> {
  let name = '';
  let tensor: TensorInfo | undefined;
  const floats: number[] = [];
  for (let t = await r.tag(); t !== null; t = await r.tag()) {
    if (t.field === ATTR_NAME && t.wire === WIRE_LEN) name = await r.string(await r.varint());
    else if (t.field === ATTR_T && t.wire === WIRE_LEN) {
      const sub = r.sub(await r.varint());
      tensor = await readTensor(sub);
      r.pos = sub.end;
    } else if ((t.field === ATTR_F && t.wire === WIRE_I32) || (t.field === ATTR_FLOATS && t.wire === WIRE_I32)) {
      const b = await r.bytes(4);
      floats.push(new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true));
    } else if (t.field === ATTR_FLOATS && t.wire === WIRE_LEN) {
      const n = await r.varint();
      if (n > 64) r.skip(n);
      else {
        const b = await r.bytes(n);
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        for (let i = 0; i + 4 <= n; i += 4) floats.push(dv.getFloat32(i, true));
      }
    } else await r.skipValue(t.wire);
  }
  // Constant carries its payload in exactly one of these attributes.
  if (name === 'value' && tensor !== undefined) node.constant = tensor;
  else if ((name === 'value_float' || name === 'value_floats') && floats.length > 0) node.constant = floats;
}

async function readNode(r: ProtoReader): Promise<NodeInfo> {
  const node: NodeInfo = { op: '', inputs: [], outputs: [] };
  for (let t = await r.tag(); t !== null; t = await r.tag()) {
    if (t.wire !== WIRE_LEN) {
      await r.skipValue(t.wire);
      continue;
    }
    const n = await r.varint();
    if (t.field === NODE_INPUT) node.inputs.push(await r.string(n));
    else if (t.field === NODE_OUTPUT) node.outputs.push(await r.string(n));
    else if (t.field === NODE_OP_TYPE) node.op = await r.string(n);
    else if (t.field === NODE_ATTRIBUTE && (node.op === '' || node.op === 'Constant')) {
      // Parsed in place (not after op_type is known) so streamed sources are read strictly forward;
      // big tensor payloads are skipped by readTensor anyway.
      const sub = r.sub(n);
      await readAttribute(sub, node);
      r.pos = sub.end;
    } else r.skip(n);
  }
  if (node.op !== 'Constant') delete node.constant;
  return node;
}

interface ScalarValue {
  value: number;
  dtype: string;
  tensor: string;
}

function isGraphFieldAt(buf: Uint8Array, at: number): boolean {
  if (at === buf.length) return true;
  const key = buf[at];
  // All candidate fields are < 16, so their keys are single bytes.
  return key !== undefined && key % 8 === WIRE_LEN && GRAPH_FIELDS_AFTER_INITIALIZER.has(key >> 3);
}

/**
 * Finds serialized initializers named `names` inside `buf` (bytes of the graph ending at its end).
 * A candidate must parse as a TensorProto with that exact name and be followed by another graph
 * field, so bytes inside a weight cannot pass for it in practice; misses fall back to the walk.
 */
async function findInitializersIn(buf: Uint8Array, names: readonly string[]): Promise<Map<string, TensorInfo>> {
  const found = new Map<string, TensorInfo>();
  const enc = new TextEncoder();
  const mem = memorySource(buf);
  for (const name of names) {
    const nameBytes = enc.encode(name);
    const pattern = Uint8Array.from([TENSOR_NAME_TAG, ...encodeVarint(nameBytes.length), ...nameBytes]);
    search: for (let q = buf.indexOf(pattern[0]); q >= 0; q = buf.indexOf(pattern[0], q + 1)) {
      let match = q + pattern.length <= buf.length;
      for (let i = 1; match && i < pattern.length; i++) match = buf[q + i] === pattern[i];
      if (!match) continue;
      for (let s = q - 1; s >= Math.max(0, q - MAX_TENSOR_HEADER); s--) {
        if (buf[s] !== INITIALIZER_TAG) continue;
        let len = 0;
        let next = s + 1;
        let mul = 1;
        for (; next < buf.length && next < s + 11; next++) {
          len += (buf[next] & 0x7f) * mul;
          mul *= 128;
          if ((buf[next] & 0x80) === 0) break;
        }
        const bodyStart = next + 1;
        const bodyEnd = bodyStart + len;
        if (bodyStart > q || bodyEnd < q + pattern.length || bodyEnd > buf.length || !isGraphFieldAt(buf, bodyEnd)) continue;
        try {
          const t = await readTensor(new ProtoReader(mem, bodyStart, bodyEnd));
          if (t.name === name) {
            found.set(name, t);
            break search;
          }
        } catch (e) {
          if (!(e instanceof ProtoFormatError)) throw e;
        }
      }
    }
  }
  return found;
}

class LogitWalker {
  private readonly tracer = new GraphTracer();
  private readonly initializers = new Map<string, TensorInfo>();
  private trace: LogitTrace | null | undefined;
  private probed = false;
  private readonly resolved = new Map<string, ScalarValue>();

  constructor(
    private readonly src: ByteSource,
    private readonly label: string,
    private readonly opts: ReadFromSourceOptions,
  ) {}

  async run(): Promise<LogitParams> {
    const top = new ProtoReader(this.src, 0, this.src.size ?? Infinity);
    for (let t = await top.tag(); t !== null; t = await top.tag()) {
      if (t.field !== MODEL_GRAPH || t.wire !== WIRE_LEN) {
        await top.skipValue(t.wire);
        continue;
      }
      const len = await top.varint();
      if (this.src.size !== undefined && top.pos + len > this.src.size) {
        throw loadError(this.label, `the file is truncated (graph needs ${top.pos + len} bytes, file has ${this.src.size})`);
      }
      return this.walkGraph(top.sub(len));
    }
    throw loadError(this.label, 'no ModelProto.graph found (not an ONNX model, or empty file)');
  }

  private async walkGraph(g: ProtoReader): Promise<LogitParams> {
    let lastSkipped = 0;
    for (;;) {
      // Decide before touching the next tag: reading it is what would cost the request.
      if (this.shouldProbe(g, lastSkipped)) {
        const done = await this.probeTail(g);
        if (done !== null) return done;
      }
      const t: Tag | null = await g.tag();
      if (t === null) break;
      if (t.field === GRAPH_NODE && t.wire === WIRE_LEN) {
        const sub = g.sub(await g.varint());
        this.tracer.add(await readNode(sub));
        g.pos = sub.end;
        continue;
      }
      // Nodes precede initializers in serialized order, so the first non-node field closes the list.
      if (this.trace === undefined && this.tracer.size > 0) this.trace = this.tracer.trace();
      if (t.field === GRAPH_INITIALIZER && t.wire === WIRE_LEN) {
        const sub = g.sub(await g.varint());
        const tensor = await readTensor(sub);
        g.pos = sub.end;
        lastSkipped = tensor.raw === undefined ? (tensor.rawLength ?? 0) : 0;
        if (elementCount(tensor.dims) <= 16) this.initializers.set(tensor.name, tensor);
        const done = await this.tryResolve(false);
        if (done !== null) return done;
        continue;
      }
      await g.skipValue(t.wire);
    }
    // Recomputed for writers that interleave nodes with other fields; cheap and idempotent.
    if (this.trace === undefined || this.trace === null) this.trace = this.tracer.trace();
    const done = await this.tryResolve(true);
    if (done !== null) return done;
    if (this.trace === null) {
      throw loadError(this.label, 'the graph has no logits = exp(scale) · cosine + bias pattern (logits_per_text/logits_per_image) and no initializers named logit_scale/logit_bias — not a SiglipModel export?');
    }
    throw loadError(this.label, `the graph references ${refName(this.trace.scale)} and ${refName(this.trace.bias)} but they are not scalar float initializers in this file`);
  }

  /** Only worth a request when the walk is about to jump over a large weight on a ranged source. */
  private shouldProbe(g: ProtoReader, lastSkipped: number): boolean {
    if (this.probed || this.opts.tailProbe === false || this.src.forwardOnly === true || this.src.isCached === undefined) return false;
    if (this.trace === undefined || this.trace === null || lastSkipped < PROBE_BYTES) return false;
    return !this.src.isCached(g.pos, 64);
  }

  private async probeTail(g: ProtoReader): Promise<LogitParams | null> {
    this.probed = true;
    const trace = this.trace;
    if (trace === undefined || trace === null) return null;
    const wanted = [trace.scale, trace.bias].flatMap((r) => (r.kind === 'initializer' && !this.initializers.has(r.name) ? [r.name] : []));
    if (wanted.length === 0) return null;
    const start = Math.max(g.pos, g.end - PROBE_BYTES);
    const buf = await this.src.read(start, g.end - start);
    if (buf.length !== g.end - start) return null;
    for (const [name, t] of await findInitializersIn(buf, wanted)) this.initializers.set(name, t);
    return this.tryResolve(false);
  }

  private async tryResolve(final: boolean): Promise<LogitParams | null> {
    const trace = this.trace;
    if (trace !== undefined && trace !== null) {
      const scale = await this.scalar(trace.scale);
      const bias = scale === null ? null : await this.scalar(trace.bias);
      if (scale === null || bias === null) return null;
      return this.result(scale, trace.scaleIsLog, bias, trace.biasSign, `${trace.how}: logits = ${trace.scaleIsLog ? 'exp' : 'folded'}(${scale.tensor} ${scale.dtype}) · cos ${trace.biasSign > 0 ? '+' : '−'} ${bias.tensor} ${bias.dtype}`);
    }
    // Without a recognizable graph, fall back to HF parameter names once the whole list is known;
    // by HF convention logit_scale holds log(scale).
    if (trace === null || final) {
      const byName = (re: RegExp): ScalarRef | undefined => {
        for (const name of this.initializers.keys()) if (re.test(name)) return { kind: 'initializer', name };
        return undefined;
      };
      const s = byName(NAMED_SCALE);
      const b = byName(NAMED_BIAS);
      if (s === undefined || b === undefined) return null;
      const scale = await this.scalar(s);
      const bias = await this.scalar(b);
      if (scale === null || bias === null) return null;
      return this.result(scale, true, bias, 1, `initializers named ${scale.tensor} ${scale.dtype} / ${bias.tensor} ${bias.dtype}`);
    }
    return null;
  }

  private result(scale: ScalarValue, isLog: boolean, bias: ScalarValue, sign: 1 | -1, how: string): LogitParams {
    // The graph evaluates Exp in float32; rounding the same way keeps logits bit-comparable to
    // onnxruntime and PyTorch (float64 tensors are the exception and keep full precision).
    const exp = isLog ? Math.exp(scale.value) : scale.value;
    const logitScaleExp = scale.dtype === DTYPE_NAMES[DT_DOUBLE] ? exp : Math.fround(exp);
    const logitBias = sign * bias.value;
    if (!Number.isFinite(logitScaleExp) || !Number.isFinite(logitBias) || logitScaleExp <= 0) {
      throw loadError(this.label, `implausible values scale=${logitScaleExp} bias=${logitBias} (${how})`);
    }
    return { logitScaleExp, logitBias, source: `${this.label}: ${how}` };
  }

  private async scalar(ref: ScalarRef): Promise<ScalarValue | null> {
    // Memoized: resolution is retried after every initializer, and an external read is a request.
    const key = refName(ref);
    const cached = this.resolved.get(key);
    if (cached !== undefined) return cached;
    const value = await this.scalarUncached(ref);
    if (value !== null) this.resolved.set(key, value);
    return value;
  }

  private async scalarUncached(ref: ScalarRef): Promise<ScalarValue | null> {
    if (ref.kind === 'constant') {
      if (Array.isArray(ref.value)) return ref.value.length === 1 ? { value: ref.value[0], dtype: 'float32', tensor: `Constant ${ref.output}` } : null;
      return this.decodeScalar(ref.value, `Constant ${ref.output}`);
    }
    const t = this.initializers.get(ref.name);
    return t === undefined ? null : this.decodeScalar(t, ref.name);
  }

  private async decodeScalar(t: TensorInfo, label: string): Promise<ScalarValue> {
    const dtype = DTYPE_NAMES[t.dataType];
    if (dtype === undefined) throw loadError(this.label, `${label} has non-float data type ${t.dataType}`);
    if (elementCount(t.dims) !== 1) throw loadError(this.label, `${label} is not a scalar (dims [${t.dims.join(',')}])`);
    let raw = t.raw;
    if (t.external !== undefined) {
      if (this.opts.openExternal === undefined) throw loadError(this.label, `${label} is stored in external file ${t.external.location} and no opener was given`);
      const ext = await this.opts.openExternal(t.external.location);
      const width = t.dataType === DT_DOUBLE ? 8 : dtype === 'float32' ? 4 : 2;
      raw = await ext.read(t.external.offset, t.external.length ?? width);
      await ext.close?.();
    }
    const values = decodeFloats(t, raw);
    if (values === null || values.length !== 1) throw loadError(this.label, `${label} (${dtype}) has no readable payload`);
    return { value: values[0], dtype, tensor: label };
  }
}

/**
 * Reads SigLIP's logit_scale/logit_bias from an ONNX ModelProto without loading its weights:
 * the walk reads node lists and tensor headers and steps over raw_data.
 */
export async function readLogitParamsFromSource(src: ByteSource, opts: ReadFromSourceOptions = {}): Promise<LogitParams> {
  const label = opts.label ?? 'ONNX model';
  try {
    return await new LogitWalker(src, label, opts).run();
  } catch (e) {
    if (e instanceof SiglipError) throw e;
    if (e instanceof ProtoFormatError) throw loadError(label, `not a readable ONNX file (${e.message})`, e.message);
    throw SiglipError.wrap('MODEL_LOAD', `Cannot read logit_scale/logit_bias from ${label}`, e);
  } finally {
    await src.close?.();
  }
}

/**
 * Candidate files, most exact first. The dynamically quantized exports keep these scalars in
 * float32 (verified on the fixtures); fp16 variants round them, so they come last.
 */
export const DEFAULT_LOGIT_FILES: readonly string[] = [
  'onnx/model.onnx',
  'onnx/model_quantized.onnx',
  'onnx/model_int8.onnx',
  'onnx/model_uint8.onnx',
  'onnx/model_q4.onnx',
  'onnx/model_bnb4.onnx',
  'onnx/model_fp16.onnx',
  'onnx/model_q4f16.onnx',
];

/** Above this, a server that ignores Range makes a file a last resort (it may be streamed whole). */
const STREAM_DEFER_BYTES = 64 * 1024 * 1024;

export interface ReadLogitParamsOptions {
  fetch?: typeof fetch;
  /** Paths relative to `modelBaseUrl`, tried in order. */
  files?: string[];
  signal?: AbortSignal;
  /** Range cache block size (bytes). */
  blockSize?: number;
  /** Receives request/byte counts per attempted file (diagnostics, tests). */
  onStats?: (file: string, stats: ByteSourceStats) => void;
}

// A function (not an inline check) so TypeScript does not narrow `aborted` across awaits.
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function joinUrl(base: string, path: string): string {
  return base.endsWith('/') ? `${base}${path}` : `${base}/${path}`;
}

/**
 * Reads logit_scale/logit_bias from the first combined SigLIP ONNX file found under
 * `modelBaseUrl`, fetching only headers via HTTP Range requests.
 */
export async function readLogitParams(modelBaseUrl: string, opts: ReadLogitParamsOptions = {}): Promise<LogitParams> {
  const queue = [...(opts.files ?? DEFAULT_LOGIT_FILES)];
  const deferred = new Set<string>();
  const failures: string[] = [];
  const http = { fetch: opts.fetch, signal: opts.signal, blockSize: opts.blockSize };
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const url = joinUrl(modelBaseUrl, file);
    if (isAborted(opts.signal)) throw new SiglipError('ABORTED', 'reading logit parameters was aborted');
    let src: HttpByteSource;
    try {
      src = await openHttpSource(url, http);
    } catch (e) {
      if (isAborted(opts.signal)) throw new SiglipError('ABORTED', 'reading logit parameters was aborted');
      failures.push(`${file}: ${e instanceof HttpNotFoundError ? 'not found' : e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    // Without Range support a large fp32 file would be streamed to its end (torch.onnx writes the
    // scalars last), while quantized exports put them before the big weights: try others first.
    if (src.forwardOnly === true && (src.size ?? Infinity) > STREAM_DEFER_BYTES && !deferred.has(file) && queue.length > 0) {
      await src.close();
      deferred.add(file);
      queue.push(file);
      continue;
    }
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    try {
      return await readLogitParamsFromSource(src, {
        label: file,
        openExternal: (location) => openHttpSource(joinUrl(modelBaseUrl, `${dir}${location}`), http),
      });
    } catch (e) {
      if (isAborted(opts.signal)) throw new SiglipError('ABORTED', 'reading logit parameters was aborted');
      failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      opts.onStats?.(file, src.stats);
    }
  }
  throw new SiglipError(
    'MODEL_LOAD',
    `No combined SigLIP ONNX file with logit_scale/logit_bias under ${modelBaseUrl} (needed for zero-shot scores; the vision/text models do not contain them). Tried: ${failures.join('; ')}`,
    failures.join('\n'),
  );
}
