import { unbroadcast } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { binary } from '../reference/elementwise';
import { elementwise } from '../shape-rules';

export const Sub = defineOp({
  opType: 'Sub',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: elementwise,
  /** dA = dY, dB = −dY, each summed over the axes it was broadcast along. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const outShape = ctx.shape(ctx.output(0));
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, unbroadcast(ctx, dy, outShape, ctx.shape(ctx.input(0))));
      if (ctx.needsGrad(1)) ctx.setInputGrad(1, ctx.op('Neg', [unbroadcast(ctx, dy, outShape, ctx.shape(ctx.input(1)))]));
    },
  },
  /** Broadcasting Sub: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('Sub'),
  reference: binary((a, b) => a - b),
});
