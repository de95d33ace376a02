/**
 * The upstream gradients of a BISE mask step as ONNX nodes, so that forward, loss and backward run as one session
 * (runtime/fused-step-runner.ts) instead of copying the logits, z and every saved activation out to TypeScript and
 * back. From the forward's logits and bottleneck z and a few fed tensors it computes exactly what bise/extract.ts
 * computed in TypeScript:
 *   dLogits = α·w_i·(softmax(logits) − onehot(y)) / N   (bise/cross-entropy.ts; α·w_i/N is fed as `weights`)
 *   dZ      = γ · Σ_k dMI_k/dz through auxiliary head k: a = z·Wᵀ + b (bise/aux-head.ts), MI of the selected rows
 *             (bise/mutual-information.ts: clamps at 1e-15 that pass no gradient where they bite, /log K, zero
 *             when no row is selected), and back through the head: dMI/da · W.
 * The heads' W and b are fed every step (they train between steps). The graph reads the logits and z as inputs of
 * those names and outputs the backward graph's seed inputs, so graphs chain by tensor name. Opset 17.
 */
import { Graph, Tensor, ValueInfo, floatTensor, int64Tensor, intAttr, intsAttr } from '../onnx/ir';
import { NodeEmitter } from './node-emitter';
import { emitCrossEntropyGradient } from './training-loss-graph';

/** The clamp of mutual-information.ts. */
const FLOOR = 1e-15;
/** onnx TensorProto.FLOAT, for Cast. */
const FLOAT = 1;

export interface LossGraphSpec {
  /** The forward's logits tensor and its dims ([N, K] or any dims with N first). */
  readonly logits: string;
  readonly logitsDims: readonly number[];
  /** The bottleneck tensor z and its dims (N first; flattened to [N, D] for the heads). */
  readonly bottleneck: string;
  readonly bottleneckDims: readonly number[];
  /** Output names: the backward graph's inputs for the upstream gradients of the logits and of z. */
  readonly dLogits: string;
  readonly dZ: string;
  /** Classes of each auxiliary head, one head per bias attribute. */
  readonly headClasses: readonly number[];
  /** γ, the weight of the MI terms; 0 (or no head): dZ is all zeros and no MI node is emitted. */
  readonly gamma: number;
}

/** Names of one head's fed inputs. */
export interface HeadInputs {
  /** The head's weight W [Kb, D] and bias b [Kb], as they are before this step's head update. */
  readonly weight: string;
  readonly bias: string;
  /** onehot(b_k) [N, Kb]. */
  readonly onehot: string;
  /** [N, 1]: 1 for a row the MI uses ('conflicting': b_k ≠ y; 'all': every row), else 0. */
  readonly select: string;
}

export interface LossGraph {
  readonly spec: LossGraphSpec;
  /** Inputs: the logits, z and the fed tensors below; outputs: dLogits and dZ (spec's names). */
  readonly graph: Graph;
  /** onehot(y) [N, K]. */
  readonly onehot: string;
  /** [N, 1]: α·w_i/N (w_i: the sample's group weight, or 1). */
  readonly weights: string;
  /** Per head, in headClasses order; empty when γ = 0. */
  readonly heads: readonly HeadInputs[];
}

export function buildLossGraph(spec: LossGraphSpec): LossGraph {
  const n = spec.logitsDims[0];
  const k = spec.logitsDims.slice(1).reduce((a, b) => a * b, 1);
  const d = spec.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
  if (spec.bottleneckDims[0] !== n) throw new Error(`loss graph: the logits have batch ${n} but z '${spec.bottleneck}' has dims [${spec.bottleneckDims.join(', ')}]`);
  const e = new NodeEmitter('loss');
  const inputs: ValueInfo[] = [];
  const input = (what: string, dims: readonly number[]): string => {
    inputs.push({ name: e.name(what), dtype: 'float32', shape: dims });
    return e.name(what);
  };
  const scalar = (what: string, value: number): string => e.constant(what, floatTensor([], [value]));
  const axes = (...values: number[]): string => e.constant(`axes_${values.join('_')}`, int64Tensor([values.length], values));
  const reduceSum = (x: string, ...over: number[]): string => e.op('ReduceSum', [x, axes(...over)], { keepdims: intAttr(1) });
  /** 1 where x ≥ floor, else 0: where a clamp at the floor lets the gradient through. */
  const atLeastFloor = (x: string): string => e.op('Cast', [e.op('Not', [e.op('Less', [x, scalar('floor', FLOOR)])])], { to: intAttr(FLOAT) });

  const onehot = input('onehot', [n, k]);
  const weights = input('weights', [n, 1]);
  emitCrossEntropyGradient(e, spec, onehot, weights);

  const heads: HeadInputs[] = [];
  if (spec.gamma === 0 || spec.headClasses.length === 0) {
    e.op('Identity', [e.constant('zero_dz', floatTensor(spec.bottleneckDims, new Float32Array(n * d)))], {}, spec.dZ);
  } else {
    const z = e.reshape(spec.bottleneck, [n, d]);
    const perHead = spec.headClasses.map((classes, h) => {
      const head: HeadInputs = {
        weight: input(`head${h}/weight`, [classes, d]),
        bias: input(`head${h}/bias`, [classes]),
        onehot: input(`head${h}/onehot`, [n, classes]),
        select: input(`head${h}/select`, [n, 1]),
      };
      heads.push(head);
      const scale = scalar(`head${h}/scale`, spec.gamma / Math.log(classes));
      return headGradient(e, z, head, scale, { scalar, reduceSum, atLeastFloor });
    });
    const sum = perHead.length === 1 ? perHead[0] : e.op('Sum', perHead);
    e.reshape(sum, spec.bottleneckDims, spec.dZ);
  }
  const outputs: ValueInfo[] = [
    { name: spec.dLogits, dtype: 'float32', shape: spec.logitsDims },
    { name: spec.dZ, dtype: 'float32', shape: spec.bottleneckDims },
  ];
  const graph: Graph = {
    name: 'bise_loss',
    nodes: e.nodes,
    inputs: [{ name: spec.logits, dtype: 'float32', shape: spec.logitsDims }, { name: spec.bottleneck, dtype: 'float32', shape: spec.bottleneckDims }, ...inputs],
    outputs,
    initializers: new Map<string, Tensor>(e.initializers),
    valueInfo: new Map(),
  };
  return { spec, graph, onehot, weights, heads };
}

interface Helpers {
  readonly scalar: (what: string, value: number) => string;
  readonly reduceSum: (x: string, ...axes: number[]) => string;
  readonly atLeastFloor: (x: string) => string;
}

/**
 * γ·dMI/dz [N, D] through one head (mutual-information.ts, step by step): `scale` holds γ / log Kb. J is the clamped
 * joint of (b, softmax(a)) over the selected rows, M the clamped product of its marginals; dMI/dJ = log(J/M) + 1
 * minus, through the marginals, Σ J/M·c and Σ J/M·r where the product is not clamped; then through the joint's
 * clamp and 1/count to each selected row's softmax, and through the softmax.
 */
function headGradient(e: NodeEmitter, z: string, head: HeadInputs, scale: string, { scalar, reduceSum, atLeastFloor }: Helpers): string {
  const a = e.op('Gemm', [z, head.weight, head.bias], { transB: intAttr(1) });
  const s = e.op('Softmax', [a], { axis: intAttr(1) });
  const selected = e.op('Mul', [head.onehot, head.select]); // onehot(b) of the selected rows, zero rows elsewhere
  const raw = e.op('MatMul', [e.op('Transpose', [selected], { perm: intsAttr([1, 0]) }), s]); // [Kb, Kb]
  // 1/count, and 1 when no row is selected: every row's gradient is then zero (selected is), as MI = 0 says.
  const inverseCount = e.op('Reciprocal', [e.op('Max', [reduceSum(head.select, 0, 1), scalar('one', 1)])]);
  const joint = e.op('Mul', [e.op('Max', [raw, scalar('floor', FLOOR)]), inverseCount]);
  const rows = reduceSum(joint, 1); // [Kb, 1]
  const cols = reduceSum(joint, 0); // [1, Kb]
  const product = e.op('Mul', [rows, cols]);
  const ratio = e.op('Div', [joint, e.op('Max', [product, scalar('floor', FLOOR)])]);
  const unclampedRatio = e.op('Mul', [ratio, atLeastFloor(product)]);
  const dRows = reduceSum(e.op('Mul', [unclampedRatio, cols]), 1);
  const dCols = reduceSum(e.op('Mul', [unclampedRatio, rows]), 0);
  const dJoint = e.op('Sub', [e.op('Sub', [e.op('Add', [e.op('Log', [ratio]), scalar('one', 1)]), dRows]), dCols]);
  const perClassPair = e.op('Mul', [e.op('Mul', [dJoint, atLeastFloor(raw)]), e.op('Mul', [inverseCount, scale])]);
  const ds = e.op('MatMul', [selected, perClassPair]); // row i: the entries of its bias class b_i
  const dot = reduceSum(e.op('Mul', [ds, s]), 1);
  const dA = e.op('Mul', [s, e.op('Sub', [ds, dot])]);
  return e.op('MatMul', [dA, head.weight]);
}

/** One batch's loss inputs as extract holds them. */
export interface LossValues {
  /** Class labels of the batch's rows. */
  readonly y: ArrayLike<number>;
  /** α, the weight of the cross-entropy. */
  readonly alpha: number;
  /** Per-row weights w_i (config.reweighting 'group'); undefined: 1. */
  readonly sampleWeights?: ArrayLike<number>;
  /** Per head: the rows' bias labels, and the head's current weight [Kb·D] and bias [Kb]. */
  readonly biases: readonly ArrayLike<number>[];
  readonly heads: readonly { readonly weight: Float32Array; readonly bias: Float32Array }[];
  /** Rows each head's MI uses: those whose bias label differs from y ('conflicting'), or all. */
  readonly miSamples: 'conflicting' | 'all';
}

/** The fed tensors of `loss` for one batch, by input name (float32, row-major). */
export function lossFeeds(loss: LossGraph, v: LossValues): Record<string, Float32Array> {
  const { logitsDims, headClasses } = loss.spec;
  const n = logitsDims[0];
  const k = logitsDims.slice(1).reduce((a, b) => a * b, 1);
  if (v.y.length !== n) throw new Error(`loss feeds: ${v.y.length} labels for a batch of ${n}`);
  const onehot = (labels: ArrayLike<number>, classes: number, what: string): Float32Array => {
    const out = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      if (!(c >= 0 && c < classes)) throw new Error(`loss feeds: ${what} label ${c} of row ${i} is not in [0, ${classes})`);
      out[i * classes + c] = 1;
    }
    return out;
  };
  const feeds: Record<string, Float32Array> = {
    [loss.onehot]: onehot(v.y, k, 'class'),
    [loss.weights]: Float32Array.from({ length: n }, (_, i) => (v.alpha * (v.sampleWeights ? v.sampleWeights[i] : 1)) / n),
  };
  if (loss.heads.length > 0 && (v.heads.length !== headClasses.length || v.biases.length !== headClasses.length)) {
    throw new Error(`loss feeds: the loss graph has ${headClasses.length} auxiliary heads; got ${v.heads.length} heads and ${v.biases.length} bias attributes`);
  }
  loss.heads.forEach((names, h) => {
    const bias = v.biases[h];
    feeds[names.weight] = v.heads[h].weight;
    feeds[names.bias] = v.heads[h].bias;
    feeds[names.onehot] = onehot(bias, headClasses[h], `bias attribute ${h}`);
    feeds[names.select] = Float32Array.from({ length: n }, (_, i) => (v.miSamples === 'all' || bias[i] !== v.y[i] ? 1 : 0));
  });
  return feeds;
}
