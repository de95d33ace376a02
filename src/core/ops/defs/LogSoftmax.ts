import { int64Tensor, intAttr } from '../../onnx/ir';
import { defineOp } from '../op';
import { logSoftmax } from '../reference/softmax';
import { SOFTMAX_SIGNATURE, normalisedAxes, softmaxPrune, softmaxShape } from '../softmax-family';

export const LogSoftmax = defineOp({
  opType: 'LogSoftmax',
  scope: 'model',
  signature: SOFTMAX_SIGNATURE,
  shape: softmaxShape,
  /** Y = X − log Σ exp X, so dX = dY − exp(Y)·Σ dY, the sum over the normalised axes, from the output alone. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const y = ctx.output(0);
      const axes = normalisedAxes(ctx.node, ctx.shape(y).length, ctx.opset);
      const total = ctx.op('ReduceSum', [dy, ctx.addConstant('axes', int64Tensor([axes.length], axes))], { keepdims: intAttr(1) });
      ctx.setInputGrad(0, ctx.op('Sub', [dy, ctx.op('Mul', [ctx.op('Exp', [y]), total])]));
    },
  },
  prune: softmaxPrune,
  reference: logSoftmax,
});
