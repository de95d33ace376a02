/**
 * Attention heads as units: one gate per head, on the head's context softmax(Q·Kᵀ)·V ([batch, heads, seq,
 * head_dim]) along its heads axis, before the heads are merged and the output projection reads them. A removed head
 * takes its head_dim slice of Q's, K's and V's output features with it (pruned together, one dependency group), and
 * its rows of the output projection (prune/attention-heads.ts).
 *
 * Found as torch.onnx writes Hugging Face's BERT self-attention (and any model written the same way): each of Q, K
 * and V is a MatMul with a 2-D constant weight (its bias Add optional), reshaped so that its last axis splits into
 * [heads, head_dim], moved by Transposes; the scores MatMul(Q, K) on the heads as a batch axis, scaled by a
 * constant, plus a mask broadcast over the heads, Softmax over the last axis, and the context MatMul(probs, V).
 * Attention whose heads are not a batch axis of their own (nn.MultiheadAttention's fused in_proj, heads merged with
 * the batch) is not matched: its projections stay ordinary units, as before.
 */
import { Node, attrInt, attrInts } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { GraphIndex } from './graph-index';

/** Which units discovery gates: the neurons and channels it always found, attention heads, or both. */
export type UnitKind = 'mlp' | 'heads' | 'both';
export const UNIT_KINDS: readonly UnitKind[] = ['mlp', 'heads', 'both'];

export interface AttentionHeads {
  /** The query, key and value projections (MatMul nodes with a constant 2-D weight). */
  readonly query: string;
  readonly key: string;
  readonly value: string;
  readonly heads: number;
  /** The per-head context tensor the gate multiplies, and the axis of its heads. */
  readonly context: string;
  readonly axis: number;
  readonly rank: number;
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

/** Ops between the scores and the probabilities that keep every head apart (a mask broadcast over the heads). */
const SCORE_OPS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Where', 'Cast', 'Dropout', 'Identity', 'Softmax']);

/** Every attention block before the bottleneck (`within`: the nodes upstream of it). */
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
    found.push({ query: q.projection, key: k.projection, value: v.projection, heads: v.heads, context: n.outputs[0], axis: v.axis, rank: out.length, label: labelOf(projections) });
  }
  return found;
}

/**
 * Softmaxes of attention (their output read by a MatMul of two activations) that no found block owns, with why
 * their heads are not units: for `bise info --units heads` on, e.g., torchvision's ViT.
 */
export function unmatchedAttention(nodes: readonly Node[], found: readonly AttentionHeads[], ix: GraphIndex, within: ReadonlySet<string>): { node: string; reason: string }[] {
  const owned = new Set(found.map((a) => a.context));
  return nodes
    .filter((n) => within.has(n.name) && n.opType === 'Softmax' && (ix.consumers.get(n.outputs[0]) ?? []).some((c) => isActivationMatMul(c, ix) && !owned.has(c.outputs[0])))
    .map((n) => ({
      node: n.name,
      reason:
        'its attention heads are not units: heads are found where Q, K and V are separate MatMul projections whose last axis a Reshape splits into ' +
        "[heads, head_dim] with the heads on an axis of their own (Hugging Face's BERT layout); this attention is written otherwise " +
        "(e.g. nn.MultiheadAttention's fused in_proj, sliced into Q, K and V, with the heads merged into the batch axis)",
    }));
}

function isActivationMatMul(n: Node, ix: GraphIndex): boolean {
  return n.opType === 'MatMul' && n.domain === '' && !ix.isConstant(n.inputs[0]) && !ix.isConstant(n.inputs[1]);
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

/** The tensor feeds one node and no graph output (its channels go nowhere else). */
function onlyReader(t: string, ix: GraphIndex): boolean {
  return (ix.consumers.get(t) ?? []).length === 1 && !ix.graphOutputs.has(t);
}

/**
 * The scores MatMul behind the attention probabilities `probs`: back through Softmax over the last axis and ops
 * whose other operands are constants or broadcast over the heads axis `axis` (the additive mask).
 */
function scoresOf(probs: string, axis: number, ix: GraphIndex, shapes: ShapeMap): Node | undefined {
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

/** The projections' common name prefix (the attention module), e.g. "/bert/encoder/layer.0/attention/self heads". */
function labelOf(projections: readonly string[]): string {
  const parts = projections.map((p) => p.split('/'));
  let k = 0;
  while (k < parts[0].length - 1 && parts.every((p) => p[k] === parts[0][k])) k++;
  const prefix = parts[0].slice(0, k).join('/');
  return prefix ? `${prefix} heads` : `${projections[0]} + 2 coupled (heads)`;
}
