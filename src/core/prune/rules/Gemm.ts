import { attrInt } from '../../onnx/ir';
import { isPruned } from '../channel-map';
import { PruneContext, PruneRule } from '../rule';
import { takeAlongAxis } from '../tensor-ops';
import { identityFor } from './helpers';

/**
 * Y = A·B + C with B the weight, [N, K] when transB=1 else [K, N]. Output features are rows of B (transB=1) or
 * columns, and C's last axis; input features the other axis of B. transA is not supported with pruning.
 */
export const Gemm: PruneRule = {
  opType: 'Gemm',
  pruneIn(ctx: PruneContext) {
    const map = ctx.inputMap(0);
    if (isPruned(map)) {
      if (attrInt(ctx.node, 'transA', 0) === 1) ctx.fail('with transA=1 its axis 1 is the batch, not the features, so pruned input features cannot be removed');
      const w = ctx.requireConstant(1, 'its weight B');
      ctx.setConstant(1, takeAlongAxis(w, attrInt(ctx.node, 'transB', 0) === 1 ? 1 : 0, map.kept));
    }
    if (isPruned(ctx.inputMap(1)) || isPruned(ctx.inputMap(2))) ctx.fail('only input A may carry pruned channels (B and C are expected to be constants)');
    return [identityFor(ctx.outputShape(0))];
  },
  pruneOut(ctx: PruneContext, keep: readonly number[]) {
    const transB = attrInt(ctx.node, 'transB', 0) === 1;
    const w = ctx.requireConstant(1, 'its weight B');
    const n = w.dims[transB ? 0 : 1];
    ctx.setConstant(1, takeAlongAxis(w, transB ? 0 : 1, keep));
    if (ctx.node.inputs[2]) {
      const c = ctx.requireConstant(2, 'its bias C');
      const last = c.dims.length - 1;
      if (last >= 0 && c.dims[last] === n && n !== 1) ctx.setConstant(2, takeAlongAxis(c, last, keep));
    }
  },
};
