import { isPruned } from '../../prune/channel-map';
import { identityFor, shifted } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { reshapeBack } from '../layout-gradients';
import { unsqueeze } from '../reference/shape-arith';
import { unsqueezedShape } from '../shape-arith';
import { need, normAxis } from '../shape-rules';
import { listedAxes, prunedAxes } from './Squeeze';

/** Unsqueeze: inserts size-1 axes at the listed output positions. */
export const Unsqueeze = defineOp({
  opType: 'Unsqueeze',
  scope: 'model',
  signature: { inputs: [1, 2], attributes: { axes: 'ints' } },
  shape: (n, s, constants) => [unsqueezedShape(n, need(s[0], n, 0), listedAxes(n, (name) => constants.get(name)) ?? [])],
  /** dX is dY without the inserted axes. */
  gradient: reshapeBack,
  /** Axes inserted in front of the channels move them back by as many; none may go in front of the batch (position 0). */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const y = ctx.outputShape(0);
      if (!isPruned(map)) return [identityFor(y)];
      const axes = (prunedAxes(ctx) ?? []).map((a) => normAxis(a, y.length, ctx.node));
      if (axes.some((a) => a === 0)) ctx.fail(`it inserts an axis at position 0, in front of the partly pruned channel axis of '${ctx.node.inputs[0]}' and of the batch`);
      // Output axes in front of the channels' new place: the inserted ones there plus the input's axes before them.
      let axis = map.axis;
      for (const a of [...axes].sort((p, q) => p - q)) if (a <= axis) axis++;
      return [shifted(map, axis - map.axis)];
    },
  },
  reference: unsqueeze,
});
