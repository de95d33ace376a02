/**
 * Structured-sparsity specialisation. When some gate entries are known to be 0 (pruned units), whole channels
 * of some tensors are exactly zero, in the forward graph (ĥ = h·g) and in the backward graph (dL/dh = dL/dĥ·g).
 * Every Conv / ConvTranspose / Gemm that reads such a tensor can skip those input channels: it reads a Gather of
 * the live channels and a weight sliced to match. The result is the same up to float summation order, while the
 * step costs shrink roughly with the fraction of units kept. Gate gradients of pruned units are still exact,
 * since they need h and dL/dĥ, which are computed in full.
 */
import { Graph, Node, Tensor, attrInt, int64Tensor, intAttr, makeTensor } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { withoutDeadNodes } from './rewrite-nodes';

export interface ZeroChannelOptions {
  /**
   * Keep channel counts at multiples of this (adding back zero channels): onnxruntime's blocked (NCHWc)
   * convolution kernels need it, and a zero channel costs less than losing them.
   */
  readonly channelBlock?: number;
  /**
   * Prefix of the names this pass gives its tensors (`zc` by default): graphs specialised apart and then joined
   * (the fused step's forward and backward, chain-graphs.ts) need different ones.
   */
  readonly tagPrefix?: string;
}

/** Channels (axis 1) known to be exactly zero, per tensor. */
export type ZeroMap = Map<string, ReadonlySet<number>>;

const PASS_THROUGH = new Set(['Relu', 'LeakyRelu', 'Identity', 'Dropout', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Tanh', 'Expand']);

export function analyseZeroChannels(graph: Graph, shapes: ShapeMap, known: ReadonlyMap<string, ReadonlySet<number>>): ZeroMap {
  const zeros: ZeroMap = new Map(known);
  const isZeroConstant = (name: string): boolean => {
    const t = graph.initializers.get(name);
    return !!t && t.dims.length === 0 && (t.data as Float32Array)[0] === 0;
  };
  // Only tensors of the output's rank with the full channel axis carry their zero set through broadcasting.
  const aligned = (input: string, output: string): ReadonlySet<number> | undefined => {
    const zs = zeros.get(input);
    const [si, so] = [shapes.get(input), shapes.get(output)];
    if (!zs || !si || !so || si.length !== so.length || si[1] !== so[1]) return undefined;
    return zs;
  };
  const union = (sets: (ReadonlySet<number> | undefined)[]): ReadonlySet<number> | undefined => {
    const present = sets.filter((s): s is ReadonlySet<number> => !!s);
    return present.length === 0 ? undefined : new Set(present.flatMap((s) => [...s]));
  };
  const intersection = (sets: (ReadonlySet<number> | undefined)[]): ReadonlySet<number> | undefined => {
    if (sets.some((s) => !s) || sets.length === 0) return undefined;
    const [first, ...rest] = sets as ReadonlySet<number>[];
    return new Set([...first].filter((c) => rest.every((s) => s.has(c))));
  };
  for (const n of graph.nodes) {
    const out = n.outputs[0];
    if (!out) continue;
    let z: ReadonlySet<number> | undefined;
    if (PASS_THROUGH.has(n.opType)) z = aligned(n.inputs[0], out);
    else if (n.opType === 'Mul') z = union(n.inputs.map((i) => aligned(i, out)));
    else if (n.opType === 'Add' || n.opType === 'Sum' || n.opType === 'Sub') z = intersection(n.inputs.map((i) => aligned(i, out)));
    else if (n.opType === 'Where' && isZeroConstant(n.inputs[2])) z = aligned(n.inputs[1], out);
    else if (n.opType === 'Reshape') {
      // Reshapes that keep axes 0 and 1 (e.g. [N, C] <-> [N, C, 1, 1]) keep the channel meaning.
      const [si, so] = [shapes.get(n.inputs[0]), shapes.get(out)];
      if (si && so && si[0] === so[0] && si[1] === so[1] && si.slice(2).every((d) => d === 1) && so.slice(2).every((d) => d === 1)) z = zeros.get(n.inputs[0]);
    }
    if (z && z.size > 0) zeros.set(out, z);
  }
  return zeros;
}

export function specializeZeroChannels(graph: Graph, shapes: ShapeMap, known: ReadonlyMap<string, ReadonlySet<number>>, options: ZeroChannelOptions = {}): Graph {
  const zeros = analyseZeroChannels(graph, shapes, known);
  const block = options.channelBlock ?? 16;
  const initializers = new Map(graph.initializers);
  const nodes: Node[] = [];
  let counter = 0;
  const producer = new Map<string, Node>();
  const consumers = new Map<string, number>();
  for (const n of graph.nodes) {
    n.outputs.forEach((o) => o && producer.set(o, n));
    n.inputs.forEach((i) => i && consumers.set(i, (consumers.get(i) ?? 0) + 1));
  }
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const isZeroScalar = (name: string): boolean => {
    const t = graph.initializers.get(name);
    return !!t && t.data.length === 1 && Number(t.data[0]) === 0;
  };
  for (const n of graph.nodes) {
    const x = n.inputs[0];
    const z = zeros.get(x);
    const weight = graph.initializers.get(n.inputs[1]);
    const channels = shapes.get(x)?.[1];
    const sliceable =
      z && weight && channels !== undefined &&
      ((n.opType === 'Conv' && attrInt(n, 'group', 1) === 1) ||
        (n.opType === 'ConvTranspose' && attrInt(n, 'group', 1) === 1) ||
        (n.opType === 'Gemm' && attrInt(n, 'transA', 0) === 0 && shapes.get(x)?.length === 2));
    if (!sliceable) {
      nodes.push(n);
      continue;
    }
    const live = liveChannels(channels, z, block);
    if (live.length === channels || live.length === 0) {
      nodes.push(n);
      continue;
    }
    const tag = `${options.tagPrefix ?? 'zc'}${counter++}`;
    const indices = `${x}::${tag}::live`;
    const sliced = `${n.inputs[1]}::${tag}::sliced`;
    initializers.set(indices, int64Tensor([live.length], live));
    initializers.set(sliced, sliceAxis(weight, weightInputAxis(n), live));
    const gathered = gatherLive(x, indices, tag, 2);
    const inputs = [...n.inputs];
    inputs[0] = gathered;
    inputs[1] = sliced;
    nodes.push({ ...n, inputs });
  }

  /**
   * A tensor equal to Gather(tensor, live, axis 1). Elementwise producers that only feed this gather (the
   * backward's gate Mul and ReLU Where) are recomputed on the live channels instead, so they touch half the
   * data when half the units are pruned; their full-size versions become dead and are dropped below.
   */
  function gatherLive(tensor: string, indices: string, tag: string, depth: number): string {
    const p = producer.get(tensor);
    const outShape = shapes.get(tensor);
    const pushable =
      depth > 0 && p && outShape && consumers.get(tensor) === 1 && !graphOutputs.has(tensor) &&
      (p.opType === 'Mul' || (p.opType === 'Where' && isZeroScalar(p.inputs[2]))) &&
      p.inputs.every((i) => {
        const s = shapes.get(i);
        return !!s && (s.length === 0 || (s.length === outShape.length && (s[1] === 1 || s[1] === outShape[1])));
      });
    if (!pushable || !p || !outShape) {
      const out = `${tensor}::${tag}::gathered`;
      nodes.push({ name: `${tensor}::${tag}::gather`, opType: 'Gather', domain: '', inputs: [tensor, indices], outputs: [out], attributes: { axis: intAttr(1) } });
      return out;
    }
    const inputs = p.inputs.map((i) => {
      const s = shapes.get(i) as readonly number[];
      return s.length === 0 || s[1] === 1 ? i : gatherLive(i, indices, tag, depth - 1);
    });
    const out = `${tensor}::${tag}::live_${p.opType}`;
    nodes.push({ ...p, name: `${p.name}::${tag}::live`, inputs, outputs: [out] });
    return out;
  }
  return withoutDeadNodes({ ...graph, nodes, initializers });
}

/** Which weight axis matches the input channels. */
function weightInputAxis(n: Node): number {
  if (n.opType === 'Conv') return 1; // [M, C, k…]
  if (n.opType === 'ConvTranspose') return 0; // [C, M/G, k…]
  return attrInt(n, 'transB', 0) === 1 ? 1 : 0; // Gemm: B is [N, K] with transB, else [K, N]
}

/** Non-zero channels, padded with zero channels (lowest first) up to a multiple of `block`. */
export function liveChannels(channels: number, zero: ReadonlySet<number>, block: number): number[] {
  const live = new Set<number>();
  for (let c = 0; c < channels; c++) if (!zero.has(c)) live.add(c);
  const target = Math.min(channels, Math.ceil(live.size / block) * block);
  for (let c = 0; c < channels && live.size < target; c++) live.add(c);
  return [...live].sort((a, b) => a - b);
}

export function sliceAxis(t: Tensor, axis: number, keep: readonly number[]): Tensor {
  const dims = t.dims;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const src = t.data as Float32Array;
  const out = new Float32Array(outer * keep.length * inner);
  for (let o = 0; o < outer; o++) {
    keep.forEach((k, j) => out.set(src.subarray((o * dims[axis] + k) * inner, (o * dims[axis] + k + 1) * inner), (o * keep.length + j) * inner));
  }
  const newDims = [...dims];
  newDims[axis] = keep.length;
  return makeTensor('float32', newDims, out);
}
