import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Log = defineOp({
  opType: 'Log',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY / X. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, ctx.op('Div', [dy, ctx.input(0)]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Log'),
  reference: unary(Math.log),
});
