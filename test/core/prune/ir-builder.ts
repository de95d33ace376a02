/** Small IR graphs built in code for the pruning tests (seeded weights, opset 13). */
import { Attribute, Model, Node, Tensor, ValueInfo, floatTensor, int64Tensor, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { concreteInputShapes } from '../../../src/core/prune/prune';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';

/** mulberry32: a small seeded PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly inputs: ValueInfo[] = [];
  private readonly rand: () => number;
  private count = 0;

  constructor(seed = 1) {
    this.rand = prng(seed);
  }

  input(name: string, dims: readonly (number | string)[]): string {
    this.inputs.push({ name, dtype: 'float32', shape: [...dims] });
    return name;
  }

  /** A float initializer with values in [lo, hi) (seeded), or the given data. */
  weight(name: string, dims: readonly number[], data?: readonly number[], lo = -1, hi = 1): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.initializers.set(name, floatTensor(dims, data ?? Array.from({ length: n }, () => lo + (hi - lo) * this.rand())));
    return name;
  }

  int64(name: string, values: readonly number[]): string {
    this.initializers.set(name, int64Tensor([values.length], values));
    return name;
  }

  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, name?: string): string {
    return this.nodeOutputs(opType, inputs, 1, attributes, name)[0];
  }

  /** A node with `count` outputs (Split). */
  nodeOutputs(opType: string, inputs: readonly string[], count: number, attributes: Record<string, Attribute> = {}, name?: string): string[] {
    const nodeName = name ?? `${opType}_${this.count++}`;
    const outs = Array.from({ length: count }, (_, k) => (k === 0 ? `${nodeName}_out` : `${nodeName}_out${k}`));
    this.nodes.push({ name: nodeName, opType, domain: '', inputs: [...inputs], outputs: outs, attributes });
    return outs;
  }

  model(logits: string): Model {
    return {
      irVersion: 8,
      opsetImports: [{ domain: '', version: 13 }],
      producerName: 'prune-test',
      producerVersion: '0',
      graph: {
        name: 'synthetic',
        nodes: [...this.nodes],
        inputs: [...this.inputs],
        outputs: [{ name: logits, dtype: 'float32', shape: ['batch', null] }],
        initializers: new Map(this.initializers),
        valueInfo: new Map(),
      },
      metadata: {},
    };
  }

  /** Random input batch for `dims`. */
  batch(dims: readonly number[]): { dims: number[]; data: Float32Array } {
    const n = dims.reduce((a, b) => a * b, 1);
    return { dims: [...dims], data: Float32Array.from({ length: n }, () => this.rand() * 2 - 1) };
  }
}

/** Attributes of a square k×k Conv with symmetric padding (and a group count when > 1). */
export const conv = (k: number, pad: number, stride = 1, group = 1): Record<string, Attribute> => ({
  kernel_shape: intsAttr([k, k]),
  pads: intsAttr([pad, pad, pad, pad]),
  strides: intsAttr([stride, stride]),
  ...(group > 1 && { group: intAttr(group) }),
});

/** A Transpose's perm attribute. */
export const perm = (...p: number[]): Record<string, Attribute> => ({ perm: intsAttr(p) });

/** Units of `model` at batch 2; `checkPruning` off skips discovery's trial prune (to test the pruner's refusals). */
export function discover(model: Model, checkPruning = true): Discovery {
  return discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph, undefined, 2)), { checkPruning });
}
