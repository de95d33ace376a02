import { int64Tensor, intAttr } from '../../onnx/ir';
import { defineOp } from '../op';
import { softmax } from '../reference/softmax';
import { SOFTMAX_SIGNATURE, normalisedAxes, softmaxPrune, softmaxShape } from '../softmax-family';

export const Softmax = defineOp({
  opType: 'Softmax',
  scope: 'model',
  signature: SOFTMAX_SIGNATURE,
  shape: softmaxShape,
  /** dX = Y·(dY − Σ dY·Y), the sum over the normalised axes, from the output alone. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const y = ctx.output(0);
      const axes = normalisedAxes(ctx.node, ctx.shape(y).length, ctx.opset);
      const weighted = ctx.op('ReduceSum', [ctx.op('Mul', [dy, y]), ctx.addConstant('axes', int64Tensor([axes.length], axes))], { keepdims: intAttr(1) });
      ctx.setInputGrad(0, ctx.op('Mul', [y, ctx.op('Sub', [dy, weighted])]));
    },
  },
  prune: softmaxPrune,
  reference: softmax,
});
