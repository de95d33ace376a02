import { attrInt } from '../../onnx/ir';
import { ChannelMap, describeMap, identityMap, sameMap } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { takeAlongAxis } from '../tensor-ops';
import { normalizeAxis } from './helpers';

/**
 * Along axis 1 the inputs' maps are laid end to end (input k's channels offset by the original sizes of the
 * inputs before it). Along another axis every input must carry the same channels; constants are sliced to them.
 */
export const Concat: PruneRule = {
  opType: 'Concat',
  pruneIn(ctx: PruneContext) {
    const out = ctx.outputShape(0);
    const axis = normalizeAxis(attrInt(ctx.node, 'axis', 0), out.length);
    if (axis === 1) {
      const kept: number[] = [];
      let offset = 0;
      ctx.node.inputs.forEach((_, i) => {
        const size = ctx.inputShape(i)[1];
        const map = ctx.inputMap(i) ?? identityMap(size);
        for (const k of map.kept) kept.push(offset + k);
        offset += size;
      });
      return [{ size: offset, kept }];
    }
    let common: { map: ChannelMap; from: string } | undefined;
    ctx.node.inputs.forEach((name, i) => {
      if (ctx.constant(i)) return;
      const map = ctx.inputMap(i) ?? identityMap(out[1]);
      if (!common) common = { map, from: name };
      else if (!sameMap(common.map, map)) {
        ctx.fail(`it joins '${common.from}' (${describeMap(common.map)}) and '${name}' (${describeMap(map)}) along axis ${axis}, but their channels differ`);
      }
    });
    const map = common?.map ?? identityMap(out[1]);
    ctx.node.inputs.forEach((_, i) => {
      const t = ctx.constant(i);
      if (t) ctx.setConstant(i, takeAlongAxis(t, 1, map.kept));
    });
    return [map];
  },
};
