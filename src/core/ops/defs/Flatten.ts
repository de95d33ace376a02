import { attrInt } from '../../onnx/ir';
import { reshapeTo } from '../../autodiff/helpers';
import { flattenMap, isPruned } from '../../prune/channel-map';
import { identityFor, normalizeAxis } from '../../prune/rules/helpers';
import { defineOp } from '../op';
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
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, reshapeTo(ctx, dy, ctx.shape(ctx.input(0))));
    },
  },
  /** Flatten(axis=1) of [N, C, *S]: channel c becomes features c·|S| … c·|S| + |S| − 1. Other axes mix channels. */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      if (!isPruned(map)) return [identityFor(ctx.outputShape(0))];
      const axis = normalizeAxis(attrInt(ctx.node, 'axis', 1), x.length);
      if (axis !== 1) ctx.fail(`it flattens from axis ${axis}, which moves the partly pruned channel axis 1; only axis=1 is supported`);
      return [flattenMap(map, x.slice(2).reduce((a, b) => a * b, 1))];
    },
  },
  reference: flatten,
});
