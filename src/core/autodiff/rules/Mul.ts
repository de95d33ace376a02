import { GradientRule } from '../rule';
import { unbroadcast } from '../helpers';

/** dA = dY·B, dB = dY·A, each summed over the axes it was broadcast along (this yields per-channel gate grads). */
export const Mul: GradientRule = {
  opType: 'Mul',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy) return;
    const outShape = ctx.shape(ctx.output(0));
    for (const [i, other] of [[0, 1], [1, 0]] as const) {
      if (!ctx.needsGrad(i)) continue;
      const product = ctx.op('Mul', [dy, ctx.input(other)]);
      ctx.setInputGrad(i, unbroadcast(ctx, product, outShape, ctx.shape(ctx.input(i))));
    }
  },
};
