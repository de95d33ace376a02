import { gradWhere, unbroadcast } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { variadic } from '../reference/elementwise';
import { variadicElementwise } from '../shape-rules';

export const Where = defineOp({
  opType: 'Where',
  scope: 'model',
  signature: { inputs: [3, 3] },
  shape: variadicElementwise,
  /**
   * Y = cond ? A : B. dA = dY where cond holds, dB = dY where it does not, each summed over the axes it was
   * broadcast along. The condition is boolean: no gradient (the backward pass never asks, see output-dtypes.ts).
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const outShape = ctx.shape(ctx.output(0));
      const cond = ctx.input(0);
      if (ctx.needsGrad(1)) ctx.setInputGrad(1, unbroadcast(ctx, gradWhere(ctx, cond, dy), outShape, ctx.shape(ctx.input(1))));
      if (ctx.needsGrad(2)) ctx.setInputGrad(2, unbroadcast(ctx, gradWhere(ctx, ctx.op('Not', [cond]), dy), outShape, ctx.shape(ctx.input(2))));
    },
  },
  /** Broadcasting like Add over all three inputs: the condition's channels must agree too; constants are sliced. */
  prune: elementwiseChannels('Where'),
  reference: variadic(([c, a, b]) => (c ? a : b)),
});
