import type { TensorInfo } from './onnx-tensor.js';

/** The parts of a NodeProto needed to follow data flow. */
export interface NodeInfo {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Constant nodes only: the `value` tensor, or `value_float(s)` as float32 numbers. */
  constant?: TensorInfo | number[];
}

/** Where a scalar comes from: an initializer (read later) or a Constant node (already read). */
export type ScalarRef = { kind: 'initializer'; name: string } | { kind: 'constant'; output: string; value: TensorInfo | number[] };

export interface LogitTrace {
  scale: ScalarRef;
  /** True when the graph applies Exp to the stored tensor (HF stores log(scale)). */
  scaleIsLog: boolean;
  bias: ScalarRef;
  /** -1 when the graph subtracts the tensor instead of adding it. */
  biasSign: 1 | -1;
  /** How the pattern was found, for error messages and `source`. */
  how: string;
}

/** Ops that keep a scalar's value (casts and shape plumbing the exporter may insert). */
const VALUE_PRESERVING = new Set(['Cast', 'Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Expand', 'CastLike']);
/** Ops between the final Add and a graph output (logits_per_image is the transposed logits_per_text). */
const OUTPUT_PLUMBING = new Set(['Transpose', 'Cast', 'Identity', 'Reshape']);
const COSINE_PRODUCERS = new Set(['MatMul', 'Gemm', 'Einsum']);
const MAX_HOPS = 8;

export function refName(ref: ScalarRef): string {
  return ref.kind === 'initializer' ? ref.name : `Constant:${ref.output}`;
}

/**
 * Finds logits = scale · cos + bias in the graph. SigLIP exports name the learned tensors
 * anonymously (`onnx::Exp_1116`, `onnx::Add_1117`), so the data flow is the reliable key; names
 * are only a fallback (see onnx-scalars.ts).
 */
export class GraphTracer {
  private readonly producers = new Map<string, NodeInfo>();
  private readonly nodes: NodeInfo[] = [];

  add(node: NodeInfo): void {
    this.nodes.push(node);
    for (const o of node.outputs) if (o !== '') this.producers.set(o, node);
  }

  get size(): number {
    return this.nodes.length;
  }

  constantOutput(name: string): TensorInfo | number[] | undefined {
    const p = this.producers.get(name);
    return p?.op === 'Constant' ? p.constant : undefined;
  }

  trace(): LogitTrace | null {
    // 1) The documented outputs of SiglipModel's ONNX export.
    for (const output of ['logits_per_text', 'logits_per_image']) {
      let node = this.producers.get(output);
      for (let hops = 0; node !== undefined && OUTPUT_PLUMBING.has(node.op) && hops < MAX_HOPS; hops++) node = this.producers.get(node.inputs[0]);
      const hit = node === undefined ? null : this.matchAffine(node, false);
      if (hit !== null) return { ...hit, how: `graph output ${output}` };
    }
    // 2) Renamed outputs: any Add(Mul(MatMul, Exp(const)), const). Exp of a constant is specific
    // to logit_scale; without the Exp (folded) an attention-score Mul could match, so it is not
    // accepted here.
    const hits = new Map<string, LogitTrace>();
    for (const node of this.nodes) {
      if (node.op !== 'Add' && node.op !== 'Sub') continue;
      const hit = this.matchAffine(node, true);
      if (hit !== null) hits.set(`${refName(hit.scale)}|${refName(hit.bias)}|${hit.biasSign}`, { ...hit, how: 'Add(Mul(MatMul, Exp(const)), const) pattern' });
    }
    return hits.size === 1 ? [...hits.values()][0] : null;
  }

  private matchAffine(node: NodeInfo, requireExp: boolean): Omit<LogitTrace, 'how'> | null {
    if (node.inputs.length !== 2) return null;
    const orders: Array<[string, string, 1 | -1]> =
      node.op === 'Add' ? [[node.inputs[0], node.inputs[1], 1], [node.inputs[1], node.inputs[0], 1]] : node.op === 'Sub' ? [[node.inputs[0], node.inputs[1], -1]] : [];
    for (const [product, biasName, biasSign] of orders) {
      const bias = this.scalarRef(biasName);
      const scaled = bias === null ? null : this.matchScaledCosine(product);
      if (bias !== null && scaled !== null && (!requireExp || scaled.scaleIsLog)) return { ...scaled, bias, biasSign };
    }
    return null;
  }

  private matchScaledCosine(name: string): { scale: ScalarRef; scaleIsLog: boolean } | null {
    const mul = this.follow(name, OUTPUT_PLUMBING);
    if (mul === undefined || mul.op !== 'Mul' || mul.inputs.length !== 2) return null;
    for (const [cos, scaleName] of [[mul.inputs[0], mul.inputs[1]], [mul.inputs[1], mul.inputs[0]]]) {
      const cosNode = this.follow(cos, OUTPUT_PLUMBING);
      if (cosNode === undefined || !COSINE_PRODUCERS.has(cosNode.op)) continue;
      const viaExp = this.follow(scaleName, VALUE_PRESERVING);
      if (viaExp?.op === 'Exp') {
        const scale = this.scalarRef(viaExp.inputs[0]);
        if (scale !== null) return { scale, scaleIsLog: true };
      }
      const folded = this.scalarRef(scaleName);
      if (folded !== null) return { scale: folded, scaleIsLog: false };
    }
    return null;
  }

  /** The producer of `name` after skipping `through` ops; undefined for graph inputs/initializers. */
  private follow(name: string, through: ReadonlySet<string>): NodeInfo | undefined {
    let node = this.producers.get(name);
    for (let hops = 0; node !== undefined && through.has(node.op) && hops < MAX_HOPS; hops++) node = this.producers.get(node.inputs[0]);
    return node;
  }

  /**
   * A value no node computes is an initializer (or a graph input, which the value check later
   * rejects because no initializer of that name shows up).
   */
  private scalarRef(name: string): ScalarRef | null {
    let current = name;
    for (let hops = 0; hops < MAX_HOPS; hops++) {
      const p = this.producers.get(current);
      if (p === undefined) return { kind: 'initializer', name: current };
      if (p.op === 'Constant') return p.constant === undefined ? null : { kind: 'constant', output: current, value: p.constant };
      if (!VALUE_PRESERVING.has(p.op)) return null;
      current = p.inputs[0];
    }
    return null;
  }
}
