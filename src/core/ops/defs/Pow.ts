import { floatTensor, intAttr } from '../../onnx/ir';
import { GradientContext } from '../../autodiff/rule';
import { unbroadcast } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { scalar } from '../elementwise-gradients';
import { defineOp } from '../op';
import { binary } from '../reference/elementwise';
import { elementwise } from '../shape-rules';

export const Pow = defineOp({
  opType: 'Pow',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: elementwise,
  /**
   * Y = X^E. dX = dY·E·X^(E−1); where E = 0 the term is 0 (as PyTorch's pow_backward; 0·0⁻¹ would be NaN at X = 0):
   * the slope is computed as E·X^E' with E' = E − 1 except E' = 0 where E = 0 (folded into constants for a constant E,
   * in the graph for a fed one). dE = dY·Y·ln X, only emitted when E needs it (a fed or trained
   * exponent); 0 where X = 0, as PyTorch does, and NaN for X < 0, where X^E is not real either.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const outShape = ctx.shape(ctx.output(0));
      const [x, e] = [ctx.input(0), ctx.input(1)];
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, unbroadcast(ctx, ctx.op('Mul', [dy, baseSlope(ctx, x, e)]), outShape, ctx.shape(x)));
      if (ctx.needsGrad(1)) {
        const atZero = ctx.op('Equal', [x, scalar(ctx, 'zero', 0)]);
        const slope = ctx.op('Where', [atZero, scalar(ctx, 'zero', 0), ctx.op('Mul', [ctx.output(0), ctx.op('Log', [x])])]);
        ctx.setInputGrad(1, unbroadcast(ctx, ctx.op('Mul', [dy, slope]), outShape, ctx.shape(e)));
      }
    },
  },
  /** Broadcasting like Mul: operands spanning the channel axis must agree; per-channel exponents are sliced. */
  prune: elementwiseChannels('Pow'),
  reference: binary(Math.pow),
});

/** E·X^(E−1). */
function baseSlope(ctx: GradientContext, x: string, e: string): string {
  const known = ctx.constant(e);
  if (known) {
    const values = Array.from(known.data as ArrayLike<number | bigint>, Number);
    const factor = ctx.addConstant('exponent', floatTensor(known.dims, values));
    const lowered = ctx.addConstant('exponent_minus_one', floatTensor(known.dims, values.map((v) => (v === 0 ? 0 : v - 1))));
    return ctx.op('Mul', [ctx.op('Pow', [x, lowered]), factor]);
  }
  // A fed exponent may be an integer tensor (Pow allows it): the slope is computed in float.
  const factor = ctx.op('Cast', [e], { to: intAttr(1) });
  const nonZero = ctx.op('Cast', [ctx.op('Not', [ctx.op('Equal', [factor, scalar(ctx, 'zero', 0)])])], { to: intAttr(1) });
  return ctx.op('Mul', [ctx.op('Pow', [x, ctx.op('Sub', [factor, nonZero])]), factor]);
}
