/** Small IR graphs built in code for the pruning tests (seeded weights, opset 13). */
import { Attribute, Model, Node, Tensor, ValueInfo, floatTensor, int64Tensor, floatAttr, intAttr, intsAttr } from '../../../src/core/onnx/ir';
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

/** Decomposed GELU as torch exports it, with the ½ last (x·(1 + erf(x/√2))·½) or first (½x·(1 + erf(x/√2))). */
export function gelu(b: GraphBuilder, x: string, name: string, halfFirst = false): string {
  const erf = b.node('Erf', [b.node('Div', [x, b.weight(`${name}.sqrt2`, [], [Math.SQRT2])])]);
  const onePlus = b.node('Add', [erf, b.weight(`${name}.one`, [], [1])]);
  if (halfFirst) return b.node('Mul', [b.node('Mul', [x, b.weight(`${name}.half`, [], [0.5])]), onePlus], {}, name);
  return b.node('Mul', [b.node('Mul', [x, onePlus]), b.weight(`${name}.half`, [], [0.5])], {}, name);
}

/** A ConvNeXt block: dw conv, channels-last LayerNorm, Linear → GELU → Linear, layer scale, residual; a Gemm head. */
export function convNextBlock(seed: number, headBias: boolean): { b: GraphBuilder; model: Model } {
  const b = new GraphBuilder(seed);
  const x = b.input('x', ['batch', 3, 8, 8]);
  const stem = b.node('Conv', [x, b.weight('ws', [8, 3, 2, 2]), b.weight('bs', [8])], conv(2, 0, 2), 'stem');
  const dw = b.node('Conv', [stem, b.weight('wdw', [8, 1, 3, 3]), b.weight('bdw', [8])], conv(3, 1, 1, 8), 'dwconv');
  const normed = b.node('LayerNormalization', [b.node('Transpose', [dw], perm(0, 2, 3, 1)), b.weight('ln_scale', [8]), b.weight('ln_bias', [8])], { axis: intAttr(-1), epsilon: floatAttr(1e-6) }, 'ln');
  const hidden = gelu(b, b.node('Add', [b.weight('b1', [16]), b.node('MatMul', [normed, b.weight('w1', [8, 16])], {}, 'pwconv1')]), 'gelu');
  const back = b.node('Transpose', [b.node('Add', [b.weight('b2', [8]), b.node('MatMul', [hidden, b.weight('w2', [16, 8])], {}, 'pwconv2')])], perm(0, 3, 1, 2));
  const block = b.node('Add', [b.node('Mul', [b.weight('layer_scale', [8, 1, 1]), back]), stem], {}, 'residual');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [block])], { axis: intAttr(1) });
  const head = [z, b.weight('fc', [3, 8]), ...(headBias ? [b.weight('fcb', [3])] : [])];
  return { b, model: b.model(b.node('Gemm', head, { transB: intAttr(1) }, 'fc')) };
}
