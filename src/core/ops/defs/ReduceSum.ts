import { defineOp } from '../op';
import { asKept, gradientAxes, keptShape, REDUCTION_SIGNATURE, reductionPrune, reductionShape } from '../reductions';
import { reduceSum } from '../reference/reduce';

export const ReduceSum = defineOp({
  opType: 'ReduceSum',
  scope: 'model',
  signature: REDUCTION_SIGNATURE,
  shape: reductionShape,
  /** dX = dY broadcast over the reduced axes: dY with those axes kept as size 1 (setInputGrad's smaller shape). */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const axes = gradientAxes(ctx);
      ctx.setInputGrad(0, asKept(ctx, dy, axes), keptShape(ctx.shape(ctx.input(0)), axes));
    },
  },
  /** A removed channel is 0 in the gated model and adds nothing, so summing over a pruned axis 1 stays exact. */
  prune: reductionPrune(true),
  reference: reduceSum,
});
