/**
 * Parameter and FLOP counts of a graph at a concrete input shape.
 *
 * Parameters are initializer elements (every dtype). FLOPs count only the linear layers, as multiply-adds × 2:
 * Conv 2·|Y|·(C/group)·|k|, ConvTranspose 2·|X|·(M/group)·|k|, Gemm 2·M·N·K, MatMul 2·|Y|·K (|·| = element
 * count at the given input shape, batch included). Bias additions, activations, normalization and pooling are
 * not counted.
 */
import { Graph, Node, Tensor, elementCount } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';

export const COUNTED_OPS: readonly string[] = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'];

export interface LayerCostEntry {
  readonly node: string;
  readonly opType: string;
  /** The weight input (input 1) and its dims ([] when it is not a constant). */
  readonly weight: string;
  readonly weightDims: readonly number[];
  /** Elements of the node's constant inputs (weight and bias). */
  readonly params: number;
  readonly flops: number;
}

export interface GraphCost {
  readonly params: number;
  readonly flops: number;
  readonly layers: readonly LayerCostEntry[];
}

/**
 * Every tensor whose value is known without running the graph: initializers, Constant nodes, and Identity
 * nodes of those. PyTorch's exporter de-duplicates equal initializers (e.g. the all-zero biases of freshly
 * folded BatchNorms) into one initializer read through Identity nodes, so a Conv's bias is often an Identity's
 * output; the graph is in topological order, so one pass resolves chains.
 */
export function constantsOf(graph: Graph): Map<string, Tensor> {
  const constants = new Map(graph.initializers);
  for (const n of graph.nodes) {
    const a = n.attributes.value;
    if (n.opType === 'Constant' && a?.type === 'tensor') constants.set(n.outputs[0], a.value);
    const aliased = n.opType === 'Identity' && n.domain === '' ? constants.get(n.inputs[0]) : undefined;
    if (aliased && n.outputs[0]) constants.set(n.outputs[0], aliased);
  }
  return constants;
}

export function graphCost(graph: Graph, shapes: ShapeMap): GraphCost {
  const constants = constantsOf(graph);
  let params = 0;
  for (const t of graph.initializers.values()) params += elementCount(t.dims);
  const layers: LayerCostEntry[] = [];
  let flops = 0;
  for (const n of graph.nodes) {
    if (n.domain !== '' || !COUNTED_OPS.includes(n.opType)) continue;
    const w = constants.get(n.inputs[1]);
    const layerParams = n.inputs.slice(1).reduce((acc, name) => acc + (name && constants.has(name) ? elementCount((constants.get(name) as Tensor).dims) : 0), 0);
    const f = layerFlops(n, shapes);
    flops += f;
    layers.push({ node: n.name, opType: n.opType, weight: n.inputs[1], weightDims: w ? [...w.dims] : [], params: layerParams, flops: f });
  }
  return { params, flops, layers };
}

function layerFlops(n: Node, shapes: ShapeMap): number {
  const shape = (name: string): readonly number[] => {
    const s = shapes.get(name);
    if (!s) throw new Error(`node '${n.name}' (${n.opType}): the shape of '${name}' is unknown`);
    return s;
  };
  const x = shape(n.inputs[0]);
  const w = shape(n.inputs[1]);
  const y = shape(n.outputs[0]);
  switch (n.opType) {
    case 'Conv':
      return 2 * elementCount(y) * elementCount(w.slice(1));
    case 'ConvTranspose':
      return 2 * elementCount(x) * elementCount(w.slice(1));
    case 'Gemm': {
      const transA = n.attributes.transA?.type === 'int' && n.attributes.transA.value === 1;
      return 2 * elementCount(y) * (transA ? x[0] : x[1]);
    }
    default: // MatMul
      return 2 * elementCount(y) * x[x.length - 1];
  }
}
