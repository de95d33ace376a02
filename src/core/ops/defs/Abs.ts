import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Abs = defineOp({
  opType: 'Abs',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY·sign(X), 0 at X = 0 (PyTorch's choice). A broadcast dY is expanded by the Mul. */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, ctx.op('Mul', [dy, ctx.op('Sign', [ctx.input(0)])]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Abs'),
  reference: unary(Math.abs),
});
