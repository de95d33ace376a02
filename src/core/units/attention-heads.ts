/**
 * Attention heads as units: one gate per head, on the heads' context (softmax(Q·Kᵀ)·V) before the output
 * projection reads it. A removed head takes its head_dim slice of Q's, K's and V's output features with it (pruned
 * together, one dependency group), and its rows of the output projection (prune/attention-heads.ts).
 *
 * Two layouts are found:
 * - as torch.onnx writes Hugging Face's BERT self-attention (and any model written the same way), here: each of Q,
 *   K and V is a MatMul with a 2-D constant weight (its bias Add optional), reshaped so that its last axis splits
 *   into [heads, head_dim], moved by Transposes; the scores MatMul(Q, K) on the heads as a batch axis, scaled by a
 *   constant, plus a mask broadcast over the heads, Softmax over the last axis, and the context MatMul(probs, V).
 *   The gate is on that context ([batch, heads, seq, head_dim]) along its heads axis;
 * - nn.MultiheadAttention's (torchvision's ViT): one fused in_proj, the heads merged into the batch axis
 *   (fused-attention-heads.ts). The gate is on the [.., heads·head_dim] tensor the output projection reads, one
 *   entry per head repeated over its head_dim features.
 */
import { Node, attrInts } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { GraphIndex } from './graph-index';
import { isActivationMatMul, labelOf, onlyReader, scoresOf } from './attention-graph';
import { findFusedAttentionHeads } from './fused-attention-heads';

/** Which units discovery gates: the neurons and channels it always found, attention heads, or both. */
export type UnitKind = 'mlp' | 'heads' | 'both';
export const UNIT_KINDS: readonly UnitKind[] = ['mlp', 'heads', 'both'];

export interface AttentionHeads {
  /** The projections that make the heads' features: Q, K and V (MatMuls with a constant 2-D weight), or one fused in_proj. */
  readonly projections: readonly string[];
  /**
   * How many equal blocks each projection's output holds side by side, each with every head's features: 3 for a
   * fused in_proj (Q, K, V), else 1.
   */
  readonly blocks: number;
  readonly heads: number;
  /** The tensor the gate multiplies, the axis that holds the heads there, and its size on that axis. */
  readonly context: string;
  readonly axis: number;
  readonly rank: number;
  /** The heads (one per head), or heads × head_dim features (each head's head_dim consecutive ones). */
  readonly channels: number;
  /** The output of the probs·V MatMul (the attention this block owns). */
  readonly product: string;
  /** E.g. "/bert/encoder/layer.0/attention/self heads". */
  readonly label: string;
}

/** A projection's output with its last axis split into heads: where the heads are in `tensor`. */
interface SplitHeads {
  readonly projection: string;
  readonly heads: number;
  readonly headDim: number;
  /** The heads axis of the tensor the walk started from. */
  readonly axis: number;
}

/** Every attention block before the bottleneck (`within`: the nodes upstream of it), in either layout. */
export function findAttentionHeads(nodes: readonly Node[], ix: GraphIndex, shapes: ShapeMap, within: ReadonlySet<string>): AttentionHeads[] {
  const found: AttentionHeads[] = [];
  const used = new Set<string>();
  for (const n of nodes) {
    if (!within.has(n.name) || !isActivationMatMul(n, ix)) continue;
    const out = shapes.get(n.outputs[0]);
    const v = splitHeads(n.inputs[1], ix, shapes);
    if (!out || !v || v.axis >= out.length - 2 || (shapes.get(n.inputs[1]) ?? []).length !== out.length) continue;
    const scores = scoresOf(n.inputs[0], v.axis, ix, shapes);
    if (!scores) continue;
    const q = splitHeads(scores.inputs[0], ix, shapes);
    const k = splitHeads(scores.inputs[1], ix, shapes);
    if (!q || !k || q.axis !== v.axis || k.axis !== v.axis || q.heads !== v.heads || k.heads !== v.heads || q.headDim !== k.headDim) continue;
    const projections = [q.projection, k.projection, v.projection];
    if (new Set(projections).size !== 3 || projections.some((p) => used.has(p))) continue;
    projections.forEach((p) => used.add(p));
    const context = n.outputs[0];
    found.push({ projections, blocks: 1, heads: v.heads, context, axis: v.axis, rank: out.length, channels: v.heads, product: context, label: labelOf(projections) });
  }
  const fused = findFusedAttentionHeads(nodes, ix, shapes, within).filter((a) => !a.projections.some((p) => used.has(p)));
  const order = new Map(nodes.map((n, i) => [n.outputs[0], i]));
  return [...found, ...fused].sort((a, b) => (order.get(a.product) ?? 0) - (order.get(b.product) ?? 0));
}

/**
 * Softmaxes of attention (their output read by a MatMul of two activations) that no found block owns, with why
 * their heads are not units: for `bise info --units heads`.
 */
export function unmatchedAttention(nodes: readonly Node[], found: readonly AttentionHeads[], ix: GraphIndex, within: ReadonlySet<string>): { node: string; reason: string }[] {
  const owned = new Set(found.map((a) => a.product));
  return nodes
    .filter((n) => within.has(n.name) && n.opType === 'Softmax' && (ix.consumers.get(n.outputs[0]) ?? []).some((c) => isActivationMatMul(c, ix) && !owned.has(c.outputs[0])))
    .map((n) => ({
      node: n.name,
      reason:
        'its attention heads are not units: heads are found where Q, K and V are separate MatMul projections whose last axis a Reshape splits into ' +
        "[heads, head_dim] with the heads on an axis of their own (Hugging Face's BERT layout), or where one fused in_proj is cut into Q, K and V " +
        "whose Reshapes merge the heads into the batch axis (nn.MultiheadAttention's layout); this attention is written otherwise",
    }));
}

/**
 * Walks from `tensor` back to a projection whose last axis a Reshape splits into [heads, head_dim]: through
 * Transposes (which move the heads axis), the Reshape, the projection's bias Add. Undefined for anything else.
 */
function splitHeads(tensor: string, ix: GraphIndex, shapes: ShapeMap): SplitHeads | undefined {
  const perms: (readonly number[])[] = [];
  let t = tensor;
  let n = ix.producer.get(t);
  for (; n && n.opType === 'Transpose' && n.domain === '' && perms.length < 4; n = ix.producer.get(t)) {
    const rank = shapes.get(n.inputs[0])?.length ?? 0;
    perms.push(attrInts(n, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i));
    t = n.inputs[0];
  }
  if (!n || n.opType !== 'Reshape' || n.domain !== '' || !onlyReader(t, ix)) return undefined;
  const [x, y] = [shapes.get(n.inputs[0]), shapes.get(n.outputs[0])];
  if (!x || !y || y.length !== x.length + 1 || x.length < 2) return undefined;
  const [heads, headDim] = y.slice(-2);
  if (!x.slice(0, -1).every((d, i) => d === y[i]) || heads * headDim !== x[x.length - 1] || heads < 2) return undefined;
  // The heads axis, carried forward through the Transposes to the tensor the walk started from.
  let axis = y.length - 2;
  for (const perm of [...perms].reverse()) axis = perm.indexOf(axis);
  let source = n.inputs[0];
  let p = ix.producer.get(source);
  if (p && p.opType === 'Add' && p.domain === '' && onlyReader(source, ix)) {
    // The projection's bias: a constant over the features (last axis) only.
    const bias = p.inputs.find((i) => ix.isConstant(i));
    const data = p.inputs.find((i) => !ix.isConstant(i));
    const dims = bias ? shapes.get(bias) ?? [] : [];
    if (!bias || !data || !dims.every((d, i) => d === 1 || (i === dims.length - 1 && d === x[x.length - 1]))) return undefined;
    source = data;
    p = ix.producer.get(source);
  }
  if (!p || p.opType !== 'MatMul' || !ix.isConstant(p.inputs[1]) || (shapes.get(p.inputs[1]) ?? []).length !== 2 || !onlyReader(source, ix)) return undefined;
  return { projection: p.name, heads, headDim, axis };
}
