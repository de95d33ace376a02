/**
 * Channel shuffle (ShuffleNet): Reshape [N, C, H, W] → [N, g, C/g, H, W], Transpose swapping the two new axes,
 * Reshape back to [N, C, H, W]. Each node alone splits or merges the channel axis, which no channel map can
 * follow when some channels are gone (the halves no longer have equal sizes); the three together only permute
 * the channels: output channel j = i₂·g + i₁ is input channel i₁·(C/g) + i₂. With pruned channels the pruner
 * replaces the three by one Gather of the kept channels in their shuffled order, which is exact.
 */
import { Graph, Node, attrInts } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { ChannelMap } from './channel-map';

export interface ChannelShuffle {
  /** The Reshape that splits the channel axis, the Transpose, and the Reshape that merges it back. */
  readonly split: Node;
  readonly transpose: Node;
  readonly merge: Node;
  /** The channel axis of the input and the output. */
  readonly axis: number;
  /** Output channel j is input channel source[j]. */
  readonly source: readonly number[];
}

/** The channel shuffles of a graph, by the name of their first Reshape. */
export function findChannelShuffles(graph: Graph, shapes: ShapeMap): Map<string, ChannelShuffle> {
  const consumers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const onlyConsumer = (tensor: string, opType: string): Node | undefined => {
    const c = consumers.get(tensor) ?? [];
    return c.length === 1 && c[0].opType === opType && c[0].domain === '' && c[0].inputs[0] === tensor && !outputs.has(tensor) ? c[0] : undefined;
  };
  const found = new Map<string, ChannelShuffle>();
  for (const split of graph.nodes) {
    if (split.opType !== 'Reshape' || split.domain !== '') continue;
    const x = shapes.get(split.inputs[0]);
    const y = shapes.get(split.outputs[0]);
    if (!x || !y || y.length !== x.length + 1) continue;
    const axis = splitAxis(x, y);
    const transpose = axis === undefined ? undefined : onlyConsumer(split.outputs[0], 'Transpose');
    const merge = transpose && onlyConsumer(transpose.outputs[0], 'Reshape');
    if (axis === undefined || !transpose || !merge) continue;
    const perm = attrInts(transpose, 'perm');
    const swapped = y.map((_, i) => (i === axis ? axis + 1 : i === axis + 1 ? axis : i));
    const z = shapes.get(merge.outputs[0]);
    if (!perm || perm.some((p, i) => p !== swapped[i]) || !z || z.length !== x.length || z.some((d, i) => d !== x[i])) continue;
    const [groups, perGroup] = [y[axis], y[axis + 1]];
    const source = Array.from({ length: x[axis] }, (_, j) => (j % groups) * perGroup + Math.floor(j / groups));
    found.set(split.name, { split, transpose, merge, axis, source });
  }
  return found;
}

/** The axis of x that y splits into two (every other axis unchanged), if any. */
function splitAxis(x: readonly number[], y: readonly number[]): number | undefined {
  for (let a = 0; a < x.length; a++) {
    const same = x.every((d, i) => i === a || d === y[i < a ? i : i + 1]);
    if (same && y[a] * y[a + 1] === x[a] && y[a] > 1 && y[a + 1] > 1) return a;
  }
  return undefined;
}

/**
 * A shuffle of a tensor that keeps channels `map.kept`: the output's map (the shuffled positions of those
 * channels, ascending) and, for each of its channels, the position in the pruned input to gather it from.
 */
export function shuffledChannels(shuffle: ChannelShuffle, map: ChannelMap): { map: ChannelMap; gather: number[] } {
  const position = new Map(map.kept.map((c, p) => [c, p]));
  const kept: number[] = [];
  const gather: number[] = [];
  shuffle.source.forEach((c, j) => {
    const p = position.get(c);
    if (p === undefined) return;
    kept.push(j);
    gather.push(p);
  });
  return { map: { size: map.size, kept, axis: map.axis }, gather };
}
