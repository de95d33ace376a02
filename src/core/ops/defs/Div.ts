import { unbroadcast } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { binary } from '../reference/elementwise';
import { elementwise } from '../shape-rules';

export const Div = defineOp({
  opType: 'Div',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: elementwise,
  /** Y = A/B: dA = dY/B and dB = −dY·A/B² = −dY·Y/B, each summed over the axes it was broadcast along. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const outShape = ctx.shape(ctx.output(0));
      const [a, b] = [ctx.input(0), ctx.input(1)];
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, unbroadcast(ctx, ctx.op('Div', [dy, b]), outShape, ctx.shape(a)));
      if (ctx.needsGrad(1)) {
        const quotient = ctx.op('Div', [ctx.op('Mul', [dy, ctx.output(0)]), b]);
        ctx.setInputGrad(1, ctx.op('Neg', [unbroadcast(ctx, quotient, outShape, ctx.shape(b))]));
      }
    },
  },
  /** Broadcasting Div: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('Div'),
  reference: binary((a, b) => a / b),
});
