import { floatTensor } from '../../onnx/ir';
import { defineOp } from '../op';
import { asKept, gradientAxes, keptShape, REDUCTION_SIGNATURE, reductionPrune, reductionShape } from '../reductions';
import { reduceMean } from '../reference/reduce';

export const ReduceMean = defineOp({
  opType: 'ReduceMean',
  scope: 'model',
  signature: REDUCTION_SIGNATURE,
  shape: reductionShape,
  /** dX = dY / n broadcast over the reduced axes (n elements per mean), kept at the smaller broadcastable shape. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const x = ctx.shape(ctx.input(0));
      const axes = gradientAxes(ctx);
      const n = axes.reduce((p, a) => p * x[a], 1);
      const scaled = ctx.op('Mul', [asKept(ctx, dy, axes), ctx.addConstant('inverse_count', floatTensor([], [1 / n]))]);
      ctx.setInputGrad(0, scaled, keptShape(x, axes));
    },
  },
  prune: reductionPrune(false, 'the mean divides by the original number of channels, so removing channels would change it'),
  reference: reduceMean,
});
