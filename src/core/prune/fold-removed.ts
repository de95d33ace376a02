/**
 * Puts a layer's contribution from constant removed input channels (removed-values.ts) back into the pruned
 * layer: added to a Conv / ConvTranspose bias or a Gemm's C (created when absent), or, where it differs by output
 * position (zero padding) or the layer has no bias input (MatMul), returned as a constant to add after it.
 */
import { Attribute, Node, Tensor, attrFloat, floatTensor } from '../onnx/ir';
import { RemovedFold } from './removed-values';

export interface FoldTarget {
  /** The node as pruned so far. */
  readonly node: Node;
  constant(i: number): Tensor | undefined;
  setConstant(i: number, value: Tensor): void;
  /** Give the node a new constant input i (an omitted bias). */
  addConstantInput(i: number, value: Tensor): void;
  setAttribute(name: string, value: Attribute): void;
  fail(detail: string): never;
}

/**
 * `keep`: the original output channels the pruned layer still has. Returns the tensor to add to the layer's
 * output, when the contribution cannot go into a bias.
 */
export function applyRemovedFold(fold: RemovedFold, keep: readonly number[], target: FoldTarget): Tensor | undefined {
  const n = target.node;
  if (fold.kind === 'map' || n.opType === 'MatMul') {
    const spatial = fold.kind === 'map' ? fold.spatial : [];
    const area = spatial.reduce((a, b) => a * b, 1);
    const values = new Float32Array(keep.length * area);
    keep.forEach((o, j) => {
      for (let p = 0; p < area; p++) values[j * area + p] = fold.delta[o * area + p];
    });
    // [1, M, …spatial] after a conv; [M] broadcasts over a MatMul's features on the last axis.
    return floatTensor(n.opType === 'MatMul' ? [keep.length] : [1, keep.length, ...spatial], values);
  }
  const delta = keep.map((o) => fold.delta[o]);
  if (n.opType === 'Gemm') return foldIntoGemm(delta, target);
  const bias = n.inputs[2] ? target.constant(2) : undefined;
  if (n.inputs[2] && !bias) target.fail(`its bias '${n.inputs[2]}' is not a constant, so the constant that removed input channels leave cannot be folded into it`);
  const values = Float32Array.from(delta, (d, j) => d + (bias ? Number(bias.data[j]) : 0));
  if (bias) target.setConstant(2, floatTensor(bias.dims, values));
  else target.addConstantInput(2, floatTensor([delta.length], values));
  return undefined;
}

/** Y = α·A·B + β·C: C gains Δ/β (broadcast C becomes one value per output); β = 0 ignores C, so C = Δ, β = 1. */
function foldIntoGemm(delta: readonly number[], target: FoldTarget): undefined {
  const n = target.node;
  const beta = attrFloat(n, 'beta', 1);
  const c = n.inputs[2] ? target.constant(2) : undefined;
  if (n.inputs[2] && !c) target.fail(`its C '${n.inputs[2]}' is not a constant, so the constant that removed input channels leave cannot be folded into it`);
  if (!c || beta === 0) {
    if (beta !== 1) target.setAttribute('beta', { type: 'float', value: 1 });
    if (c) target.setConstant(2, floatTensor([delta.length], delta));
    else target.addConstantInput(2, floatTensor([delta.length], delta));
    return undefined;
  }
  const m = delta.length;
  const perOutput = c.dims.length > 0 && c.dims[c.dims.length - 1] === m && c.dims.slice(0, -1).every((d) => d === 1);
  const single = c.dims.every((d) => d === 1);
  if (!perOutput && !single) target.fail(`its C has shape [${c.dims.join(', ')}], which differs by row, so the constant that removed input channels leave cannot be folded into it`);
  const values = Float32Array.from(delta, (d, o) => Number(c.data[perOutput ? o : 0]) + d / beta);
  target.setConstant(2, floatTensor(perOutput ? c.dims : [m], values));
  return undefined;
}
