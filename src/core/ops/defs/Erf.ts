import { passThrough } from '../../prune/channel-rules';
import { scalar } from '../elementwise-gradients';
import { defineOp } from '../op';
import { erf, unary } from '../reference/elementwise';
import { same } from '../shape-rules';

/** The Gauss error function (exact GELU as exported by PyTorch: 0.5·x·(1 + erf(x/√2))). */
export const Erf = defineOp({
  opType: 'Erf',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY · 2/√π · exp(−X²). */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const x = ctx.input(0);
      const bell = ctx.op('Exp', [ctx.op('Neg', [ctx.op('Mul', [x, x])])]);
      ctx.setInputGrad(0, ctx.op('Mul', [dy, ctx.op('Mul', [bell, scalar(ctx, 'two_over_sqrt_pi', 2 / Math.sqrt(Math.PI))])]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Erf'),
  reference: unary(erf),
});
