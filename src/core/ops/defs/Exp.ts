import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Exp = defineOp({
  opType: 'Exp',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY·Y, from the output alone. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, ctx.op('Mul', [dy, ctx.output(0)]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Exp'),
  reference: unary(Math.exp),
});
