import { int64Tensor, intAttr } from '../../onnx/ir';
import { defineOp } from '../op';
import { asKept, gradientAxes, REDUCTION_SIGNATURE, reductionPrune, reductionShape } from '../reductions';
import { reduceMax } from '../reference/reduce';

export const ReduceMax = defineOp({
  opType: 'ReduceMax',
  scope: 'model',
  signature: REDUCTION_SIGNATURE,
  shape: reductionShape,
  /**
   * dY goes to the elements equal to the maximum. Ties share it evenly, as PyTorch's amax does (dX = dY · mask /
   * count), so the gradient matches a model trained in PyTorch and the sum over the tied elements is dY either way.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const axes = gradientAxes(ctx);
      if (axes.length === 0) {
        ctx.setInputGrad(0, dy); // noop_with_empty_axes: Y = X
        return;
      }
      const atMax = ctx.op('Cast', [ctx.op('Equal', [ctx.input(0), asKept(ctx, ctx.output(0), axes)])], { to: intAttr(1) });
      const ties = ctx.op('ReduceSum', [atMax, ctx.addConstant('axes', int64Tensor([axes.length], axes))], { keepdims: intAttr(1) });
      ctx.setInputGrad(0, ctx.op('Mul', [atMax, ctx.op('Div', [asKept(ctx, dy, axes), ties])]));
    },
  },
  prune: reductionPrune(false, 'the maximum would no longer see the removed channels, which are 0 in the gated model and can be the maximum'),
  reference: reduceMax,
});
