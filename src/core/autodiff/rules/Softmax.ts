import { attrInt, int64Tensor, intAttr } from '../../onnx/ir';
import { GradientRule } from '../rule';

/**
 * Softmax along one axis (opset ≥ 13 semantics; the default axis is −1): dX = Y·(dY − Σ_axis dY·Y), from the
 * output alone.
 */
export const Softmax: GradientRule = {
  opType: 'Softmax',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const y = ctx.output(0);
    const rank = ctx.shape(y).length;
    const rawAxis = attrInt(ctx.node, 'axis', -1);
    const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
    const weighted = ctx.op('ReduceSum', [ctx.op('Mul', [dy, y]), ctx.addConstant('axes', int64Tensor([1], [axis]))], { keepdims: intAttr(1) });
    ctx.setInputGrad(0, ctx.op('Mul', [y, ctx.op('Sub', [dy, weighted])]));
  },
};
