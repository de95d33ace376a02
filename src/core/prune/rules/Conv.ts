import { attrInt } from '../../onnx/ir';
import { isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { takeAlongAxis } from '../tensor-ops';
import { identityFor } from './helpers';

/** W is [M, C/group, k…], B is [M]: output channels are W[o] and B[o]; input channels W[:, i] (group 1 only). */
export const Conv: PruneRule = {
  opType: 'Conv',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    if (isPruned(map)) {
      const group = attrInt(ctx.node, 'group', 1);
      if (group !== 1) {
        ctx.fail(
          `it is a grouped or depthwise convolution (group=${group}) and its input '${ctx.node.inputs[0]}' lost channels; ` +
            'removing input channels of grouped convolutions is not supported, so keep every unit of the group that feeds it',
        );
      }
      ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 1, map.kept));
    }
    return [identityFor(ctx.outputShape(0))];
  },
  pruneOut(ctx: PruneContext, keep: readonly number[]) {
    const group = attrInt(ctx.node, 'group', 1);
    if (group !== 1) ctx.fail(`removing output channels of grouped convolutions (group=${group}) is not supported`);
    ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 0, keep));
    if (ctx.node.inputs[2]) ctx.setConstant(2, takeAlongAxis(ctx.requireConstant(2, 'its bias'), 0, keep));
  },
};
