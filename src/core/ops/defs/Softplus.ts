import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { softplus, unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Softplus = defineOp({
  opType: 'Softplus',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** Y = ln(1 + e^X): dX = dY·sigmoid(X). */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, ctx.op('Mul', [dy, ctx.op('Sigmoid', [ctx.input(0)])]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Softplus'),
  reference: unary(softplus),
});
