import { GradientRule } from '../rule';
import { unbroadcast } from '../helpers';

/** dA = dY, dB = −dY, each summed over the axes it was broadcast along. */
export const Sub: GradientRule = {
  opType: 'Sub',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy) return;
    const outShape = ctx.shape(ctx.output(0));
    if (ctx.needsGrad(0)) ctx.setInputGrad(0, unbroadcast(ctx, dy, outShape, ctx.shape(ctx.input(0))));
    if (ctx.needsGrad(1)) ctx.setInputGrad(1, ctx.op('Neg', [unbroadcast(ctx, dy, outShape, ctx.shape(ctx.input(1)))]));
  },
};
