/** Building blocks shared by the pruning rules. */
import { ChannelMap, describeMap, identityMap, isPruned, sameMap } from '../channel-map';
import { OutputMaps, PruneContext, PruneRule } from '../rule';
import { takeAlongAxis } from '../tensor-ops';

/** Ops that act on each channel separately: every output carries the map of input 0. */
export function passThrough(opType: string): PruneRule {
  return {
    opType,
    pruneIn: (ctx) => ctx.node.outputs.map(() => ctx.inputMap(0)),
  };
}

export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function identityFor(shape: readonly number[]): ChannelMap | undefined {
  return shape.length >= 2 ? identityMap(shape[1]) : undefined;
}

/**
 * Slice constant input i (broadcast against an output of rank `outRank`) along the axis that lines up with the
 * output's channel axis 1, when it has one of full size; a broadcast (size-1) or absent axis is left alone.
 */
export function sliceBroadcastConstant(ctx: PruneContext, i: number, map: ChannelMap, outRank: number): void {
  const t = ctx.constant(i);
  if (!t) return;
  const axis = 1 - (outRank - t.dims.length);
  if (axis < 0 || t.dims[axis] === 1) return;
  if (t.dims[axis] !== map.size) {
    ctx.fail(`constant '${ctx.node.inputs[i]}' [${t.dims.join(', ')}] does not line up with the ${map.size} channels of axis 1`);
  }
  ctx.setConstant(i, takeAlongAxis(t, axis, map.kept));
}

/**
 * Elementwise ops with broadcasting (Add, Sub, Mul, Div): the non-constant operands that span the channel axis
 * must carry the same channels (a residual Add of differently pruned tensors is an error); constant operands
 * are sliced to that map.
 */
export function elementwise(opType: string): PruneRule {
  return {
    opType,
    pruneIn(ctx: PruneContext): OutputMaps {
      const out = ctx.outputShape(0);
      if (out.length < 2) return [undefined];
      const channels = out[1];
      let common: { map: ChannelMap; from: string } | undefined;
      ctx.node.inputs.forEach((name, i) => {
        if (name === '' || ctx.constant(i)) return;
        const s = ctx.inputShape(i);
        const axis = 1 - (out.length - s.length);
        if (axis < 0 || s[axis] !== channels) return; // broadcast along channels: nothing to line up
        let map: ChannelMap;
        if (axis === 1) map = ctx.inputMap(i) ?? identityMap(channels);
        else if (isPruned(ctx.inputMap(i))) ctx.fail(`operand '${name}' has rank ${s.length}, so its own pruned axis 1 does not line up with the output's channel axis`);
        else map = identityMap(channels);
        if (!common) common = { map, from: name };
        else if (!sameMap(common.map, map)) {
          ctx.fail(
            `its operands '${common.from}' (${describeMap(common.map)}) and '${name}' (${describeMap(map)}) carry different channels; ` +
              'the units feeding a residual connection must be pruned together (one dependency group)',
          );
        }
      });
      const map = common?.map ?? identityMap(channels);
      if (isPruned(map)) ctx.node.inputs.forEach((_, i) => sliceBroadcastConstant(ctx, i, map, out.length));
      return [map];
    },
  };
}
