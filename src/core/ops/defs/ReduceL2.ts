import { floatTensor, intAttr } from '../../onnx/ir';
import { defineOp } from '../op';
import { asKept, gradientAxes, REDUCTION_SIGNATURE, reductionPrune, reductionShape } from '../reductions';
import { reduceL2 } from '../reference/reduce';

export const ReduceL2 = defineOp({
  opType: 'ReduceL2',
  scope: 'model',
  signature: REDUCTION_SIGNATURE,
  shape: reductionShape,
  /**
   * Y = √Σx², dX = dY · X / Y. Where Y = 0 every x is 0 and the gradient is taken as 0 (PyTorch's choice for the
   * norm at 0): dividing by Y + [Y = 0] gives 0 / 1 there instead of 0 / 0.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const axes = gradientAxes(ctx);
      const norm = asKept(ctx, ctx.output(0), axes);
      const zero = ctx.op('Cast', [ctx.op('Equal', [norm, ctx.addConstant('zero', floatTensor([], [0]))])], { to: intAttr(1) });
      const safe = ctx.op('Add', [norm, zero]);
      ctx.setInputGrad(0, ctx.op('Mul', [ctx.input(0), ctx.op('Div', [asKept(ctx, dy, axes), safe])]));
    },
  },
  /** A removed channel is 0 in the gated model and adds nothing to Σx², so a norm over a pruned axis 1 stays exact. */
  prune: reductionPrune(true),
  reference: reduceL2,
});
