/**
 * Pruning baselines at the subnetwork's per-group sparsity: random units (seeded) and magnitude (the L1 norm of
 * each unit's outgoing weights, summed over the group's producers and, where a unit spans several channels, over
 * its channels).
 */
import { Model } from '../onnx/ir';
import { Discovery } from '../units/discover';
import { createRng, deriveSeed, shuffleInPlace } from '../data/random';
import { unitOfChannel } from '../prune/channel-map';

export function keptCounts(keep: readonly ArrayLike<boolean>[]): number[] {
  return keep.map((k) => Array.from(k).filter(Boolean).length);
}

export function randomMasks(discovery: Discovery, counts: readonly number[], seed: number): boolean[][] {
  return discovery.groups.map((g, i) => {
    const order = Array.from({ length: g.channels }, (_, c) => c);
    shuffleInPlace(order, createRng(deriveSeed(seed, 'random-baseline', g.id)));
    const keep = new Array<boolean>(g.channels).fill(false);
    order.slice(0, counts[i]).forEach((c) => (keep[c] = true));
    return keep;
  });
}

/** L1 norm of each output unit's weights, per group (producers' weights laid out [out, …]; Gemm transB=0 is [in, out]). */
export function unitMagnitudes(model: Model, discovery: Discovery): Float64Array[] {
  const nodes = new Map(model.graph.nodes.map((n) => [n.name, n]));
  return discovery.groups.map((g) => {
    const l1 = new Float64Array(g.channels);
    for (const p of g.producers) {
      const node = nodes.get(p);
      const w = node && model.graph.initializers.get(node.inputs[1]);
      if (!node || !w) continue;
      const data = w.data as Float32Array;
      const outFirst = node.opType === 'Conv' || (node.opType === 'Gemm' && node.attributes.transB?.type === 'int' && node.attributes.transB.value === 1);
      const outs = outFirst ? w.dims[0] : w.dims[w.dims.length - 1];
      // A unit is consecutive output channels where grouped convs make units whole conv groups, in each block of a
      // fused query/key/value projection.
      const unit = (o: number): number => unitOfChannel(o, g.channels, outs, g.blocks);
      if (outFirst) {
        const per = data.length / outs;
        for (let o = 0; o < outs; o++) for (let k = 0; k < per; k++) l1[unit(o)] += Math.abs(data[o * per + k]);
      } else {
        for (let i = 0; i < data.length; i++) l1[unit(i % outs)] += Math.abs(data[i]);
      }
    }
    return l1;
  });
}

export function magnitudeMasks(model: Model, discovery: Discovery, counts: readonly number[]): boolean[][] {
  return unitMagnitudes(model, discovery).map((l1, i) => {
    const order = Array.from(l1.keys()).sort((a, b) => l1[b] - l1[a] || a - b);
    const keep = new Array<boolean>(l1.length).fill(false);
    order.slice(0, counts[i]).forEach((c) => (keep[c] = true));
    return keep;
  });
}
