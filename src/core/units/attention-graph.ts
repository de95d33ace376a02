/**
 * Graph walks that both attention-head finders use (attention-heads.ts: Hugging Face's BERT layout;
 * fused-attention-heads.ts: nn.MultiheadAttention's): the products of two activations, single readers, the scores
 * behind the attention probabilities, and a block's label.
 */
import { Node, attrInt } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { GraphIndex } from './graph-index';

/** Ops between the scores and the probabilities that keep every head apart (a mask broadcast over the heads). */
const SCORE_OPS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Where', 'Cast', 'Dropout', 'Identity', 'Softmax']);

/** A MatMul of two activations (Q·Kᵀ, probs·V), not a layer with a constant weight. */
export function isActivationMatMul(n: Node, ix: GraphIndex): boolean {
  return n.opType === 'MatMul' && n.domain === '' && !ix.isConstant(n.inputs[0]) && !ix.isConstant(n.inputs[1]);
}

/** The tensor feeds one node and no graph output (its channels go nowhere else). */
export function onlyReader(t: string, ix: GraphIndex): boolean {
  return (ix.consumers.get(t) ?? []).length === 1 && !ix.graphOutputs.has(t);
}

/**
 * The scores MatMul behind the attention probabilities `probs`: back through Softmax over the last axis and ops
 * whose other operands are constants or broadcast over the heads axis `axis` (the additive mask).
 */
export function scoresOf(probs: string, axis: number, ix: GraphIndex, shapes: ShapeMap): Node | undefined {
  let t = probs;
  let softmax = false;
  for (let steps = 0; steps < 16; steps++) {
    const n = ix.producer.get(t);
    if (!n || n.domain !== '') return undefined;
    if (isActivationMatMul(n, ix)) return softmax ? n : undefined;
    if (!SCORE_OPS.has(n.opType) || !onlyReader(t, ix)) return undefined;
    const rank = shapes.get(t)?.length ?? 0;
    if (n.opType === 'Softmax') {
      const a = attrInt(n, 'axis', -1);
      if ((a < 0 ? a + rank : a) !== rank - 1) return undefined;
      softmax = true;
    }
    // The operand that carries the scores spans the heads; every other one is broadcast over them.
    const carriers = n.inputs.filter((i) => i && !ix.isConstant(i) && spansHeads(shapes.get(i), rank, axis, shapes.get(t)?.[axis] ?? 0));
    if (carriers.length !== 1) return undefined;
    t = carriers[0];
  }
  return undefined;
}

function spansHeads(s: readonly number[] | undefined, rank: number, axis: number, heads: number): boolean {
  const at = axis - (rank - (s?.length ?? 0));
  return !!s && at >= 0 && s[at] === heads && heads > 1;
}

/** The nodes' common name prefix (the attention module), e.g. "/bert/encoder/layer.0/attention/self heads". */
export function labelOf(nodes: readonly string[]): string {
  const parts = nodes.map((p) => p.split('/'));
  let k = 0;
  while (k < parts[0].length - 1 && parts.every((p) => p[k] === parts[0][k])) k++;
  const prefix = parts[0].slice(0, k).join('/');
  return prefix ? `${prefix} heads` : `${nodes[0]} + ${nodes.length - 1} coupled (heads)`;
}
