import { isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { takeAlongAxis } from '../tensor-ops';
import { identityFor } from './helpers';

/**
 * 2-D A·W with W a constant [K, N]: output features are W[:, o], input features W[i, :]. (A following bias Add
 * is sliced by the Add's rule.) For higher-rank A, axis 1 is not the contraction axis, so it cannot be pruned.
 */
export const MatMul: PruneRule = {
  opType: 'MatMul',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    if (isPruned(map)) {
      const a = ctx.inputShape(0);
      if (a.length !== 2) ctx.fail(`its input '${ctx.node.inputs[0]}' has rank ${a.length}; only a 2-D input [N, K] can lose features (axis 1 must be the contraction axis)`);
      const w = ctx.requireConstant(1, 'its weight');
      if (w.dims.length !== 2) ctx.fail(`its weight has rank ${w.dims.length}; a 2-D weight [K, N] is expected`);
      ctx.setConstant(1, takeAlongAxis(w, 0, map.kept));
    }
    if (isPruned(ctx.inputMap(1))) ctx.fail('only its first input may carry pruned features');
    return [identityFor(ctx.outputShape(0))];
  },
  pruneOut(ctx: PruneContext, keep: readonly number[]) {
    const w = ctx.requireConstant(1, 'its weight');
    if (w.dims.length !== 2 || ctx.outputShape(0).length !== 2) ctx.fail('only a 2-D MatMul with a 2-D weight [K, N] can lose output features');
    ctx.setConstant(1, takeAlongAxis(w, 1, keep));
  },
};
