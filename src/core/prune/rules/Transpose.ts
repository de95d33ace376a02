import { attrInts } from '../../onnx/ir';
import { describeMap, isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { identityFor } from './helpers';

/** Passes the channels on only when axis 1 stays where it is (perm[1] = 1). */
export const Transpose: PruneRule = {
  opType: 'Transpose',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    const x = ctx.inputShape(0);
    if (!isPruned(map)) return [identityFor(ctx.outputShape(0))];
    const perm = attrInts(ctx.node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
    if (perm[1] !== 1) {
      ctx.fail(
        `it moves axis 1 of '${ctx.node.inputs[0]}' (perm=[${perm.join(', ')}]), whose channels are partly pruned (it ${describeMap(map)}); ` +
          'a transposed channel axis cannot be pruned, so keep every unit of the group that feeds it',
      );
    }
    return [map];
  },
};
