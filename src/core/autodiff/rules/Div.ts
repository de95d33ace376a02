import { GradientRule } from '../rule';
import { unbroadcast } from '../helpers';

/** Y = A/B: dA = dY/B and dB = −dY·A/B² = −dY·Y/B, each summed over the axes it was broadcast along. */
export const Div: GradientRule = {
  opType: 'Div',
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
};
