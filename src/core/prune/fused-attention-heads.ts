/**
 * Pruning nn.MultiheadAttention's heads (units/fused-attention-heads.ts), whose heads share the batch axis: the
 * cuts of the fused in_proj's output and the two Reshapes that move the heads into the batch axis and back. Between
 * them the scores and context MatMuls and the Softmax follow the rules of attention-heads.ts (heads on a batch
 * axis), the Transposes and the scaling their own op rules; the fused in_proj loses each removed head's features in
 * its three blocks (prune.ts, the group's `blocks`).
 *
 * - A Slice or Split that cuts Q, K and V out of in_proj's output: the op's own rule, and the removed channels it
 *   takes stay input-dependent (in_proj's own outputs, zeroed only at the head gate), which removed-values.ts does
 *   not follow through a cut that selects channels.
 * - Split, [.., B, H·hd] → [.., B·H, hd] with whole heads kept: the map moves to the merged axis, entry b·H + h
 *   for every sample b and kept head h. The target's merged entry becomes B·H' (a literal target) or stays −1; a
 *   target computed from the batch size and the head count (the exporter's Concat of Shape arithmetic and the
 *   constant H) is replaced by its batch-free constant (batch-free-targets.ts), so the export keeps its dynamic
 *   batch and no longer reads the head count.
 * - Merge, [.., B·H, hd] → [.., H·hd] with the same heads kept for every sample: the map moves back to the
 *   features, h·hd … h·hd + hd − 1 per kept head, and the target's feature entry becomes H'·hd.
 * A target that cannot be rewritten so (its feature or merged entry copied from the input, a computed target with
 * two batch-dependent entries) is refused, naming the node.
 */
import { Node, int64Tensor } from '../onnx/ir';
import { int64Values } from '../ops/shape-rules';
import { ChannelMap, describeMap, isPruned, unitChannels } from './channel-map';
import { RemovedState } from './removed-values';
import { OutputMaps, PruneContext } from './rule';
import { isUnsupported } from '../ops/op';
import { opDefinition } from '../ops/registry';
import type { HeadPruningView, HeadRule } from './attention-heads';

/** The Reshape rule for a head split into, or a head merge out of, the batch axis; undefined for any other Reshape. */
export function mergedAxisRule(n: Node, view: HeadPruningView): HeadRule | undefined {
  return n.opType === 'Reshape' && n.domain === '' ? splitIntoBatch(n, view) ?? mergeOutOfBatch(n, view) : undefined;
}

/**
 * A Slice or Split whose input's removed channels all depend on the input (a projection's own outputs before their
 * gate): its outputs' removed channels are some of those, so they depend on the input too. Undefined otherwise
 * (removed-values.ts decides).
 */
export function inputDependentCut(n: Node, view: HeadPruningView): HeadRule | undefined {
  const def = opDefinition(n.opType, n.domain);
  const map = view.inputMap(0);
  const state = view.inputState(0);
  if ((n.opType !== 'Slice' && n.opType !== 'Split') || !def || isUnsupported(def.prune) || !isPruned(map) || !state) return undefined;
  if (!removedOf(map).every((c) => Number.isNaN(state.values[c]))) return undefined;
  const facet = def.prune;
  let outs: OutputMaps = [];
  return {
    opType: n.opType,
    pruneIn(ctx) {
      outs = facet.pruneIn(ctx);
      return outs;
    },
    states: () => n.outputs.map((_, k) => (isPruned(outs[k]) ? inputDependent(outs[k] as ChannelMap, state) : undefined)),
  };
}

function inputDependent(map: ChannelMap, from: RemovedState): RemovedState {
  const values = new Float64Array(map.size);
  for (const c of removedOf(map)) values[c] = Number.NaN;
  return { values, origin: from.origin, originOp: from.originOp };
}

function removedOf(map: ChannelMap): number[] {
  const kept = new Set(map.kept);
  return Array.from({ length: map.size }, (_, c) => c).filter((c) => !kept.has(c));
}

/** The Reshape's target as it stands, or without the batch size; a PruneError where it is neither. */
function targetOf(ctx: PruneContext, n: Node, what: string): number[] {
  const target = ctx.constant(1) ?? ctx.batchFreeConstant(1);
  if (!target) {
    ctx.fail(`its target shape '${n.inputs[1]}' is computed from the batch size in a way that cannot be written without it, so ${what}`);
  }
  return int64Values(target);
}

function splitIntoBatch(n: Node, view: HeadPruningView): HeadRule | undefined {
  const map = view.inputMap(0);
  const [x, y] = [view.inputShape(0), view.outputShape(0)];
  if (!isPruned(map) || !x || !y || x.length !== y.length || x.length < 2 || map.axis !== x.length - 1) return undefined;
  const r = x.length;
  const headDim = y[r - 1];
  const heads = map.size / headDim;
  if (!Number.isInteger(heads) || heads < 2 || y[r - 2] !== x[r - 2] * heads || !x.slice(0, -2).every((d, i) => d === y[i])) return undefined;
  const kept = new Set(map.kept);
  const headsKept = Array.from({ length: heads }, (_, h) => h).filter((h) => kept.has(h * headDim));
  if (map.kept.length !== headsKept.length * headDim || !headsKept.every((h) => Array.from({ length: headDim }, (_, j) => kept.has(h * headDim + j)).every(Boolean))) return undefined;
  const batch = x[r - 2];
  const out: ChannelMap = { size: batch * heads, kept: Array.from({ length: batch }, (_, b) => headsKept.map((h) => b * heads + h)).flat(), axis: r - 2 };
  return {
    opType: 'Reshape',
    pruneIn(ctx) {
      const values = targetOf(ctx, n, `its merged batch × heads entry cannot become ${batch} × ${headsKept.length} kept heads`);
      const [merged, last] = [values[r - 2], values[r - 1]];
      if (merged === y[r - 2]) values[r - 2] = batch * headsKept.length;
      else if (merged !== -1) {
        ctx.fail(`its target shape [${values.join(', ')}] does not give the batch × heads axis ${r - 2} as ${y[r - 2]} or -1, so it cannot be rewritten to the ${headsKept.length} kept heads`);
      }
      if (last !== headDim && !(last === -1 && merged !== -1)) {
        ctx.fail(`its target shape [${values.join(', ')}] does not give the head size ${headDim} on its last axis, which must stay while the heads it merges into the batch axis change`);
      }
      ctx.setConstant(1, int64Tensor([values.length], values));
      return [out];
    },
    states() {
      const state = view.inputState(0);
      if (!state || removedOf(map).every((c) => state.values[c] === 0)) return [undefined];
      // A removed head holds one constant only if all of its features do; anything else is input-dependent.
      const values = new Float64Array(out.size);
      for (let h = 0; h < heads; h++) {
        if (kept.has(h * headDim)) continue;
        const first = state.values[h * headDim];
        const value = Array.from({ length: headDim }, (_, j) => state.values[h * headDim + j]).every((v) => v === first) ? first : Number.NaN;
        for (let b = 0; b < batch; b++) values[b * heads + h] = value;
      }
      return [{ values, origin: state.origin, originOp: state.originOp }];
    },
  };
}

function mergeOutOfBatch(n: Node, view: HeadPruningView): HeadRule | undefined {
  const map = view.inputMap(0);
  const [x, y] = [view.inputShape(0), view.outputShape(0)];
  if (!isPruned(map) || !x || !y || x.length < 2 || map.axis !== x.length - 2) return undefined;
  const headDim = x[x.length - 1];
  const heads = y[y.length - 1] / headDim;
  const batch = map.size / heads;
  if (!Number.isInteger(heads) || heads < 2 || !Number.isInteger(batch)) return undefined;
  // The same heads kept for every sample (what a head split gives): those of sample 0.
  const headsKept = map.kept.filter((k) => k < heads);
  const expected = Array.from({ length: batch }, (_, b) => headsKept.map((h) => b * heads + h)).flat();
  if (expected.length !== map.kept.length || expected.some((k, i) => k !== map.kept[i])) return undefined;
  const out: ChannelMap = { size: heads * headDim, kept: unitChannels(headsKept, headDim), axis: y.length - 1 };
  return {
    opType: 'Reshape',
    pruneIn(ctx) {
      const values = targetOf(ctx, n, `its feature entry cannot become ${headsKept.length} kept heads × ${headDim}`);
      const last = values.length - 1;
      if (values[last] === heads * headDim) values[last] = headsKept.length * headDim;
      else if (values[last] !== -1) {
        ctx.fail(`its target shape [${values.join(', ')}] does not give the ${heads} heads × ${headDim} features on its last axis as ${heads * headDim} or -1, so it cannot be rewritten to the ${headsKept.length} kept heads`);
      }
      const copied = values.findIndex((v, i) => v === 0 && i >= x.length - 2);
      if (copied >= 0) ctx.fail(`its target shape [${values.join(', ')}] copies axis ${copied} of '${n.inputs[0]}' (${describeMap(map)}), whose size pruning changes`);
      ctx.setConstant(1, int64Tensor([values.length], values));
      return [out];
    },
    states() {
      const state = view.inputState(0);
      if (!state || removedOf(map).every((c) => state.values[c] === 0)) return [undefined];
      // A removed head's features hold one constant only if it holds the same one for every sample.
      const values = new Float64Array(out.size);
      for (let h = 0; h < heads; h++) {
        if (headsKept.includes(h)) continue;
        const first = state.values[h];
        const value = Array.from({ length: batch }, (_, b) => state.values[b * heads + h]).every((v) => v === first) ? first : Number.NaN;
        for (let j = 0; j < headDim; j++) values[h * headDim + j] = value;
      }
      return [removedOf(out).some((c) => values[c] !== 0) ? ({ values, origin: state.origin, originOp: state.originOp } as RemovedState) : undefined];
    },
  };
}
