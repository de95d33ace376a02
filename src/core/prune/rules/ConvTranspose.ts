import { attrInt } from '../../onnx/ir';
import { isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { takeAlongAxis } from '../tensor-ops';
import { identityFor } from './helpers';

/** W is [C, M/group, k…], B is [M]: input channels are W[i], output channels W[:, o] and B[o] (group 1 only). */
export const ConvTranspose: PruneRule = {
  opType: 'ConvTranspose',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    if (isPruned(map)) {
      const group = attrInt(ctx.node, 'group', 1);
      if (group !== 1) ctx.fail(`it is a grouped transposed convolution (group=${group}) and its input lost channels; keep every unit of the group that feeds it`);
      ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 0, map.kept));
    }
    return [identityFor(ctx.outputShape(0))];
  },
  pruneOut(ctx: PruneContext, keep: readonly number[]) {
    const group = attrInt(ctx.node, 'group', 1);
    if (group !== 1) ctx.fail(`removing output channels of grouped transposed convolutions (group=${group}) is not supported`);
    if (ctx.node.attributes.output_shape !== undefined) ctx.fail('an explicit output_shape is not supported with pruned output channels');
    ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its weight'), 1, keep));
    if (ctx.node.inputs[2]) ctx.setConstant(2, takeAlongAxis(ctx.requireConstant(2, 'its bias'), 0, keep));
  },
};
