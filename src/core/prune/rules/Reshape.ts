import { int64Tensor } from '../../onnx/ir';
import { int64Values } from '../../onnx/shape-inference';
import { ChannelMap, describeMap, flattenMap, isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { identityFor } from './helpers';

/**
 * Two reshapes can carry pruned channels: one that keeps axes 0 and 1 ([N, C, …] → [N, C, …']) and a flatten
 * [N, C, *S] → [N, C·|S|] (target [N, -1], [0, -1], [-1, C·|S|], …). An explicit channel or feature count in
 * the target shape is rewritten to the pruned count; anything else is an error.
 */
export const Reshape: PruneRule = {
  opType: 'Reshape',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    const x = ctx.inputShape(0);
    const y = ctx.outputShape(0);
    if (!isPruned(map)) return [identityFor(y)];
    if (isPruned(ctx.inputMap(1))) ctx.fail('its shape input cannot carry channels');
    const target = ctx.requireConstant(1, 'its target shape');
    const values = int64Values(target);
    let out: ChannelMap;
    if (y.length >= 2 && y[0] === x[0] && y[1] === x[1]) out = map;
    else if (y.length === 2 && y[0] === x[0]) out = flattenMap(map, x.slice(2).reduce((a, b) => a * b, 1));
    else {
      ctx.fail(
        `it reshapes '${ctx.node.inputs[0]}' [${x.join(', ')}] to [${y.join(', ')}], which mixes the channel axis (it ${describeMap(map)}) with other axes; ` +
          'only a flatten to [N, -1] or a reshape that keeps axes 0 and 1 can follow pruned channels',
      );
    }
    if (values[1] > 0) {
      values[1] = out.kept.length;
      ctx.setConstant(1, int64Tensor(target.dims, values));
    }
    return [out];
  },
};
