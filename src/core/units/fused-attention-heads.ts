/**
 * Attention heads of nn.MultiheadAttention as torch.onnx writes it (torchvision's ViT, and any model that uses the
 * module): one fused in_proj (a MatMul with a [D, 3·D] weight, or a Gemm; its bias Add optional) whose output is cut
 * on its last axis into three [.., D] parts, Q, K and V (Slices, as chunk(3) exports, or a Split). Each part is
 * reshaped [.., B, D] → [.., B·H, hd]: the heads merged into the batch axis, head h of sample b at b·H + h (the
 * head count H is a constant of the exporter's shape arithmetic). The scores MatMul(Q, Kᵀ) (Q scaled by a
 * constant) and the context MatMul(probs, V) run on that merged axis as a batch axis; the context is moved back
 * and reshaped [.., B·H, hd] → [.., H·hd] for the output projection, head h's features at h·hd … h·hd + hd − 1.
 *
 * The gate goes on that [.., H·hd] tensor: one entry per head, repeated over its hd features. A removed head loses
 * its hd features in each of the three parts of in_proj's output (the group's `blocks`: 3), its rows of the output
 * projection, and its place in the head-merged axis (prune/fused-attention-heads.ts).
 */
import { Node, attrInt, attrInts } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { GraphIndex } from './graph-index';
import { isActivationMatMul, labelOf, onlyReader, scoresOf } from './attention-graph';
import type { AttentionHeads } from './attention-heads';

/** Q, K or V with its heads merged into a batch axis: the part of in_proj's output it was reshaped from. */
interface MergedHeads {
  /** The [.., B, D] tensor the Reshape read (one part of in_proj's output). */
  readonly part: string;
  readonly heads: number;
  readonly headDim: number;
  /** The head-merged axis of the tensor the walk started from. */
  readonly axis: number;
}

/** Every nn.MultiheadAttention block before the bottleneck (`within`: the nodes upstream of it). */
export function findFusedAttentionHeads(nodes: readonly Node[], ix: GraphIndex, shapes: ShapeMap, within: ReadonlySet<string>): AttentionHeads[] {
  const found: AttentionHeads[] = [];
  const used = new Set<string>();
  for (const n of nodes) {
    if (!within.has(n.name) || !isActivationMatMul(n, ix)) continue;
    const out = shapes.get(n.outputs[0]);
    const v = mergedHeads(n.inputs[1], ix, shapes);
    if (!out || !v || v.axis >= out.length - 2 || (shapes.get(n.inputs[1]) ?? []).length !== out.length) continue;
    const scores = scoresOf(n.inputs[0], v.axis, ix, shapes);
    if (!scores) continue;
    const [q, k] = scores.inputs.map((t) => mergedHeads(t, ix, shapes));
    if (!q || !k || [q, k].some((x) => x.axis !== v.axis || x.heads !== v.heads || x.headDim !== v.headDim)) continue;
    const projection = fusedProjection([q.part, k.part, v.part], ix, shapes);
    const context = contextOf(n.outputs[0], v, ix, shapes);
    if (!projection || !context || used.has(projection)) continue;
    used.add(projection);
    found.push({
      projections: [projection],
      blocks: 3,
      heads: v.heads,
      context: context.tensor,
      axis: context.rank - 1,
      rank: context.rank,
      channels: v.heads * v.headDim,
      product: n.outputs[0],
      label: labelOf([projection, context.reader]),
    });
  }
  return found;
}

/** Back from `tensor` through Transposes (their perms, nearest first) and scalings by a constant, each the only reader of its input. */
function backThroughLayout(tensor: string, ix: GraphIndex, shapes: ShapeMap): { node: Node | undefined; from: string; perms: (readonly number[])[] } {
  const perms: (readonly number[])[] = [];
  let t = tensor;
  for (let steps = 0; steps < 6; steps++) {
    const n = ix.producer.get(t);
    if (!n || n.domain !== '' || !onlyReader(t, ix)) return { node: n, from: t, perms };
    if (n.opType === 'Transpose') {
      const rank = shapes.get(n.inputs[0])?.length ?? 0;
      perms.push(attrInts(n, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i));
      t = n.inputs[0];
    } else if ((n.opType === 'Mul' || n.opType === 'Div') && isScalarConstant(n.inputs[1], ix, shapes)) {
      t = n.inputs[0]; // Q (or K) scaled by 1/√hd before the scores
    } else if (n.opType === 'Mul' && isScalarConstant(n.inputs[0], ix, shapes)) {
      t = n.inputs[1];
    } else return { node: n, from: t, perms };
  }
  return { node: undefined, from: t, perms };
}

function isScalarConstant(t: string | undefined, ix: GraphIndex, shapes: ShapeMap): boolean {
  return !!t && ix.isConstant(t) && (shapes.get(t) ?? [2]).every((d) => d === 1);
}

/**
 * Walks from `tensor` back through Transposes (and a scaling by a constant) to a Reshape [.., B, D] → [.., B·H, hd]
 * that merges the heads into the axis before the features. Undefined for anything else.
 */
function mergedHeads(tensor: string, ix: GraphIndex, shapes: ShapeMap): MergedHeads | undefined {
  const { node: n, from, perms } = backThroughLayout(tensor, ix, shapes);
  if (!n || n.opType !== 'Reshape' || n.domain !== '' || !onlyReader(from, ix)) return undefined;
  const [x, y] = [shapes.get(n.inputs[0]), shapes.get(n.outputs[0])];
  if (!x || !y || x.length !== y.length || x.length < 2) return undefined;
  const r = x.length;
  const headDim = y[r - 1];
  const heads = x[r - 1] / headDim;
  if (!Number.isInteger(heads) || heads < 2 || y[r - 2] !== x[r - 2] * heads || !x.slice(0, -2).every((d, i) => d === y[i])) return undefined;
  // The head-merged axis, carried forward through the Transposes to the tensor the walk started from.
  let axis = r - 2;
  for (const perm of [...perms].reverse()) axis = perm.indexOf(axis);
  return { part: n.inputs[0], heads, headDim, axis };
}

/**
 * The fused in_proj whose output the three parts cut into thirds on its last axis (three Slices or one Split, each
 * part [.., D] of the [.., 3·D] output, which nothing else reads): the MatMul with a constant 2-D weight or the Gemm
 * with a constant weight, behind its bias Add. Undefined for anything else.
 */
function fusedProjection(parts: readonly string[], ix: GraphIndex, shapes: ShapeMap): string | undefined {
  if (new Set(parts).size !== 3 || !parts.every((p) => onlyReader(p, ix))) return undefined;
  const cuts = parts.map((p) => ix.producer.get(p));
  const whole = cuts[0]?.inputs[0];
  const w = whole ? shapes.get(whole) : undefined;
  if (!whole || !w || !cuts.every((c) => c && c.domain === '' && (c.opType === 'Slice' || c.opType === 'Split') && c.inputs[0] === whole)) return undefined;
  const r = w.length;
  const third = (p: string): boolean => {
    const s = shapes.get(p);
    return !!s && s.length === r && s[r - 1] * 3 === w[r - 1] && s.slice(0, -1).every((d, i) => d === w[i]);
  };
  // Nothing but the three cuts reads in_proj's output (Shape nodes aside: graph-index.ts).
  const readers = new Set((ix.consumers.get(whole) ?? []).map((c) => c.name));
  if (!parts.every(third) || readers.size !== new Set(cuts.map((c) => (c as Node).name)).size || ix.graphOutputs.has(whole)) return undefined;
  let source = whole;
  let p = ix.producer.get(source);
  if (p && p.opType === 'Add' && p.domain === '') {
    // in_proj's bias: a constant over the features (last axis) only.
    const bias = p.inputs.find((i) => ix.isConstant(i));
    const data = p.inputs.find((i) => !ix.isConstant(i));
    const dims = bias ? shapes.get(bias) ?? [] : [];
    if (!bias || !data || !dims.every((d, i) => d === 1 || (i === dims.length - 1 && d === w[r - 1]))) return undefined;
    source = data;
    p = ix.producer.get(source);
  }
  if (!p || p.domain !== '' || !onlyReader(source, ix) || !ix.isConstant(p.inputs[1]) || (shapes.get(p.inputs[1]) ?? []).length !== 2) return undefined;
  if (p.opType === 'MatMul' || (p.opType === 'Gemm' && r === 2 && attrInt(p, 'transA', 0) === 0)) return p.name;
  return undefined;
}

/**
 * Forward from the context MatMul's output through Transposes to the Reshape [.., B·H, hd] → [.., H·hd] that
 * merges the heads back, read by the output projection alone (a MatMul or Gemm with a constant weight): that
 * Reshape's output (the gate site) and the projection.
 */
function contextOf(product: string, v: MergedHeads, ix: GraphIndex, shapes: ShapeMap): { tensor: string; rank: number; reader: string } | undefined {
  let t = product;
  let axis = v.axis;
  for (let steps = 0; steps < 4; steps++) {
    const readers = ix.consumers.get(t) ?? [];
    if (readers.length !== 1 || ix.graphOutputs.has(t)) return undefined;
    const n = readers[0];
    if (n.domain !== '') return undefined;
    if (n.opType === 'Transpose') {
      const rank = shapes.get(t)?.length ?? 0;
      const perm = attrInts(n, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      axis = perm.indexOf(axis);
      t = n.outputs[0];
      continue;
    }
    const [x, y] = [shapes.get(t), shapes.get(n.outputs[0])];
    if (n.opType !== 'Reshape' || !x || !y || axis !== x.length - 2 || x[x.length - 1] !== v.headDim || y[y.length - 1] !== v.heads * v.headDim) return undefined;
    const site = n.outputs[0];
    const out = ix.consumers.get(site) ?? [];
    const projection = out.length === 1 && !ix.graphOutputs.has(site) ? out[0] : undefined;
    if (!projection || (projection.opType !== 'MatMul' && projection.opType !== 'Gemm') || projection.inputs[0] !== site || !ix.isConstant(projection.inputs[1])) return undefined;
    return { tensor: site, rank: y.length, reader: projection.name };
  }
  return undefined;
}
