/**
 * Conv's channel rule. W is [M, C/G, k…] (G = group), B is [M]; output channel o belongs to conv group
 * o / (M/G) and reads only the C/G input channels of that group.
 *
 * - group 1: input channel c is column W[:, c]; output channel o is row W[o] and B[o].
 * - group > 1 (grouped and depthwise convs): only whole conv groups can go, because every group must keep the
 *   same size. When input channels leave, they must be whole groups; the conv then loses the output channels of
 *   those groups too (rows of W and B), `group` shrinks, and the output's channel map says which stayed. Unit
 *   discovery makes such convs followers of the group that feeds them, with units of whole conv groups, so their
 *   outputs are gated with the same gate vector. A depthwise conv (G = C) of multiplier k = M/C loses output
 *   channels k·c … k·c + k − 1 with input channel c.
 */
import { attrInt, intAttr } from '../onnx/ir';
import { ChannelMap, isPruned } from './channel-map';
import { OutputMaps, PruneContext } from './rule';
import { identityFor, requireChannelAxis1 } from './channel-rules';
import { takeAlongAxis } from './tensor-ops';

export function convPruneIn(ctx: PruneContext): OutputMaps {
  const map = ctx.inputMap(0);
  if (!isPruned(map)) return [identityFor(ctx.outputShape(0))];
  requireChannelAxis1(ctx);
  const group = attrInt(ctx.node, 'group', 1);
  if (group === 1) {
    ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 1, map.kept));
    return [identityFor(ctx.outputShape(0))];
  }
  const keptGroups = wholeGroups(ctx, map, group);
  const outChannels = ctx.outputShape(0)[1];
  const perGroup = outChannels / group;
  const keptOut = keptGroups.flatMap((j) => Array.from({ length: perGroup }, (_, i) => j * perGroup + i));
  ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 0, keptOut));
  if (ctx.node.inputs[2]) ctx.setConstant(2, takeAlongAxis(ctx.requireConstant(2, 'its bias'), 0, keptOut));
  ctx.setAttribute('group', intAttr(keptGroups.length));
  return [{ size: outChannels, kept: keptOut, axis: 1 }];
}

export function convPruneOut(ctx: PruneContext, keep: readonly number[]): void {
  const group = attrInt(ctx.node, 'group', 1);
  if (group !== 1) {
    ctx.fail(`removing output channels of a grouped convolution (group=${group}) on their own is not supported; its channels go with the units that feed it`);
  }
  ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 0, keep));
  if (ctx.node.inputs[2]) ctx.setConstant(2, takeAlongAxis(ctx.requireConstant(2, 'its bias'), 0, keep));
}

/** The conv groups whose input channels all stay; fails when a group would keep only some of them. */
function wholeGroups(ctx: PruneContext, map: ChannelMap, group: number): number[] {
  const perGroup = map.size / group;
  const count = new Map<number, number>();
  for (const c of map.kept) count.set(Math.floor(c / perGroup), (count.get(Math.floor(c / perGroup)) ?? 0) + 1);
  const partial = [...count].find(([, n]) => n !== perGroup);
  if (partial) {
    const [j, n] = partial;
    ctx.fail(
      `it is a grouped convolution (group=${group}, ${perGroup} input channels per group) and its input '${ctx.node.inputs[0]}' keeps ${n} of the ${perGroup} channels of group ${j}; ` +
        'a grouped convolution can only lose whole groups (every group must keep the same size), so the units that feed it must be removed a whole group at a time',
    );
  }
  return [...count.keys()].sort((a, b) => a - b);
}
