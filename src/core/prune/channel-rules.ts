/** Building blocks shared by the ops' channel rules (the prune facets in src/core/ops/defs). */
import { ChannelMap, describeMap, identityMap, isPruned, onAxis, sameMap } from './channel-map';
import { OutputMaps, PruneContext, PruneRule } from './rule';
import { takeAlongAxis } from './tensor-ops';

/** Ops that act on each element separately: every output carries the map of input 0, on whatever axis. */
export function passThrough(opType: string): PruneRule {
  return {
    opType,
    pruneIn: (ctx) => ctx.node.outputs.map(() => ctx.inputMap(0)),
  };
}

/**
 * Ops that keep axis 1 apart and mix the axes after it (pooling over H, W): the channels must be on axis 1. A
 * channels-last tensor [N, H, W, C] would be pooled across its channels.
 */
export function channelsFirst(opType: string): PruneRule {
  return {
    opType,
    pruneIn(ctx) {
      requireChannelAxis1(ctx);
      return ctx.node.outputs.map(() => ctx.inputMap(0));
    },
  };
}

/** Fails when input 0's pruned channels are not on axis 1 (for ops that treat axis 1 as the channels). */
export function requireChannelAxis1(ctx: PruneContext): void {
  const map = ctx.inputMap(0);
  if (isPruned(map) && map.axis !== 1) {
    ctx.fail(
      `its input '${ctx.node.inputs[0]}' [${ctx.inputShape(0).join(', ')}] holds its partly pruned channels on axis ${map.axis} (it ${describeMap(map)}), ` +
        `but ${ctx.node.opType} treats axis 1 as the channels and mixes the axes after it; keep every unit of the group that feeds it`,
    );
  }
}

export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** The unpruned map of a tensor of this shape: its channels on axis 1 (none below rank 2). */
export function identityFor(shape: readonly number[]): ChannelMap | undefined {
  return shape.length >= 2 ? identityMap(shape[1]) : undefined;
}

/** The map with its axis moved by `shift` (axes inserted in front of it: > 0; removed: < 0). */
export function shifted(map: ChannelMap, shift: number): ChannelMap {
  return onAxis(map, map.axis + shift);
}

/**
 * Slice constant input i (broadcast against an output of rank `outRank`) along the axis that lines up with the
 * output's channel axis (map.axis), when it has one of full size; a broadcast (size-1) or absent axis is left alone.
 */
export function sliceBroadcastConstant(ctx: PruneContext, i: number, map: ChannelMap, outRank: number): void {
  const t = ctx.constant(i);
  if (!t) return;
  const axis = map.axis - (outRank - t.dims.length);
  if (axis < 0 || t.dims[axis] === 1) return;
  if (t.dims[axis] !== map.size) {
    ctx.fail(`constant '${ctx.node.inputs[i]}' [${t.dims.join(', ')}] does not line up with the ${map.size} channels of axis ${map.axis}`);
  }
  ctx.setConstant(i, takeAlongAxis(t, axis, map.kept));
}

/**
 * Elementwise ops with broadcasting (Add, Sub, Mul, Div): the non-constant operands that span the channel axis
 * must carry the same channels on it (a residual Add of differently pruned tensors is an error); constant operands
 * are sliced to that map. The channel axis is the one the pruned operands hold their channels on, counted from
 * the right as broadcasting aligns them.
 */
export function elementwise(opType: string): PruneRule {
  return {
    opType,
    pruneIn(ctx: PruneContext): OutputMaps {
      const out = ctx.outputShape(0);
      if (out.length < 2) return [undefined];
      const operands = ctx.node.inputs.map((name, i) => ({ name, i })).filter(({ name, i }) => name !== '' && !ctx.constant(i));
      // The output axis of the channels: where a pruned operand's channel axis lands after broadcasting.
      const pruned = operands.find(({ i }) => isPruned(ctx.inputMap(i)));
      const outAxis = pruned ? (ctx.inputMap(pruned.i) as ChannelMap).axis + out.length - ctx.inputShape(pruned.i).length : 1;
      const channels = out[outAxis];
      let common: { map: ChannelMap; from: string } | undefined;
      for (const { name, i } of operands) {
        const s = ctx.inputShape(i);
        const axis = outAxis - (out.length - s.length);
        const own = ctx.inputMap(i);
        if (axis < 0 || s[axis] !== channels) {
          // Broadcast along the channels: nothing to line up, unless its own pruned channels sit elsewhere.
          if (isPruned(own)) ctx.fail(`operand '${name}' holds its partly pruned channels on axis ${own.axis}, which broadcasting lines up with no channel axis of the output`);
          continue;
        }
        let map: ChannelMap;
        if (isPruned(own)) {
          if (own.axis !== axis) ctx.fail(`operand '${name}' holds its partly pruned channels on axis ${own.axis}, but the other operands' channels line up with its axis ${axis}`);
          map = onAxis(own, outAxis);
        } else map = identityMap(channels, outAxis);
        if (!common) common = { map, from: name };
        else if (!sameMap(common.map, map)) {
          ctx.fail(
            `its operands '${common.from}' (${describeMap(common.map)}) and '${name}' (${describeMap(map)}) carry different channels; ` +
              'the units feeding a residual connection must be pruned together (one dependency group)',
          );
        }
      }
      const map = common?.map ?? identityMap(out[1]);
      if (isPruned(map)) ctx.node.inputs.forEach((_, i) => sliceBroadcastConstant(ctx, i, map, out.length));
      return [map];
    },
  };
}
