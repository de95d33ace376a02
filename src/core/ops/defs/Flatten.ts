import { attrInt } from '../../onnx/ir';
import { isPruned, mergedMap } from '../../prune/channel-map';
import { identityFor, normalizeAxis } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { reshapeBack } from '../layout-gradients';
import { flatten } from '../reference/layout';
import { need, normAxis } from '../shape-rules';

export const Flatten = defineOp({
  opType: 'Flatten',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { axis: 'int' } },
  shape: (n, s) => {
    const x = need(s[0], n, 0);
    const axis = normAxis(attrInt(n, 'axis', 1), x.length, n, x.length);
    const lead = x.slice(0, axis).reduce((p, q) => p * q, 1);
    return [[lead, x.slice(axis).reduce((p, q) => p * q, 1)]];
  },
  /** dX is dY reshaped back. */
  gradient: reshapeBack,
  /**
   * Flatten(axis=k) makes [prod(x[:k]), prod(x[k:])]: channels on an axis a ≥ k ≥ 1 stay apart on the output's
   * axis 1 (channel-map.ts mergedMap: NCHW [N, C, H, W] at k = 1 gives channel c the features c·H·W …; NHWC
   * [N, H, W, C] gives it every C-th feature). Channels in front of k would be merged with the batch.
   */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      if (!isPruned(map)) return [identityFor(ctx.outputShape(0))];
      const axis = normalizeAxis(attrInt(ctx.node, 'axis', 1), x.length);
      if (axis > map.axis || axis === 0) {
        ctx.fail(`it flattens from axis ${axis}, which merges the partly pruned channel axis ${map.axis} with the batch axis; only a flatten from an axis between 1 and ${map.axis} can follow them`);
      }
      const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
      return [mergedMap(map, size(x.slice(axis, map.axis)), size(x.slice(map.axis + 1)), 1)];
    },
  },
  reference: flatten,
});
