import { attrInt } from '../../onnx/ir';
import { isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { normalizeAxis } from './helpers';

/**
 * Softmax over another axis acts on each channel separately. Over axis 1 (or, before opset 13, over the
 * flattened axes from `axis` on, which include axis 1 when axis ≤ 1) it mixes channels: an error when pruned.
 */
export const Softmax: PruneRule = {
  opType: 'Softmax',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    const rank = ctx.inputShape(0).length;
    const axis = normalizeAxis(attrInt(ctx.node, 'axis', ctx.opset >= 13 ? -1 : 1), rank);
    const mixes = ctx.opset >= 13 ? axis === 1 : axis <= 1;
    if (isPruned(map) && mixes) {
      ctx.fail(`it normalizes over the channel axis 1 of '${ctx.node.inputs[0]}', whose channels are partly pruned; removing them would change every remaining output`);
    }
    return [map];
  },
};
