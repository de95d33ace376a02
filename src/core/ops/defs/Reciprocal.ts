import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Reciprocal = defineOp({
  opType: 'Reciprocal',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** Y = 1/X: dX = −dY·Y², from the output alone. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const y = ctx.output(0);
      ctx.setInputGrad(0, ctx.op('Neg', [ctx.op('Mul', [dy, ctx.op('Mul', [y, y])])]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Reciprocal'),
  reference: unary((v) => 1 / v),
});
