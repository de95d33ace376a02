import { int64Tensor } from '../../onnx/ir';
import { reduceToInput } from '../../autodiff/helpers';
import { isPruned } from '../../prune/channel-map';
import { identityFor, shifted } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { expand } from '../reference/shape-arith';
import { expandedShape } from '../shape-arith';
import { int64Values, knownInput, need } from '../shape-rules';

/** Expand(x, shape): x broadcast with `shape` (numpy rules both ways). The size is read from the file. */
export const Expand = defineOp({
  opType: 'Expand',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: (n, s, constants) => {
    const x = need(s[0], n, 0);
    return [expandedShape(n, x, int64Values(knownInput(n, (name) => constants.get(name), 1, 'shape')))];
  },
  /** dX sums dY over the broadcast axes (an axis of x's size 1 stays 1, leading axes go). */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const x = ctx.shape(ctx.input(0));
      const g = reduceToInput(ctx, dy, ctx.shape(ctx.output(0)), x);
      ctx.setInputGrad(0, g.name, g.shape);
    },
  },
  /**
   * Channels stay on axis 1 when x has the output's rank; a constant target that spells out the channel count
   * is rewritten to the kept count (a target computed from the pruned tensor's Shape follows by itself).
   */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      const y = ctx.outputShape(0);
      if (!isPruned(map)) return [identityFor(y)];
      // Axes added in front (a higher-rank target) move the channels back by as many.
      const axis = map.axis + y.length - x.length;
      const target = ctx.constant(1);
      if (target) {
        const values = int64Values(target);
        const at = axis - (y.length - values.length);
        if (at >= 0 && values[at] === map.size) {
          values[at] = map.kept.length;
          ctx.setConstant(1, int64Tensor(target.dims, values));
        }
      }
      return [shifted(map, y.length - x.length)];
    },
  },
  reference: expand,
});
