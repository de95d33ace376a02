import { int64Tensor, intAttr, stringAttr } from '../../onnx/ir';
import { GradientRule, GradientError } from '../rule';
import { reshapeTo } from '../helpers';

/**
 * Scatter-add dY into the positions MaxPool picked. Needs the Indices output, which the forward-graph builder
 * adds to every MaxPool (see prepareForGradients).
 */
export const MaxPool: GradientRule = {
  opType: 'MaxPool',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const indices = ctx.output(1);
    if (!indices) throw new GradientError(ctx.node, 'the Indices output is missing; the forward graph must be prepared with prepareForGradients');
    if (ctx.node.attributes.storage_order && ctx.node.attributes.storage_order.type === 'int' && ctx.node.attributes.storage_order.value !== 0) {
      throw new GradientError(ctx.node, 'storage_order 1 is not supported');
    }
    const xShape = ctx.shape(ctx.input(0));
    const total = xShape.reduce((a, b) => a * b, 1);
    const flat = (t: string): string => ctx.op('Reshape', [t, ctx.addConstant('flat', int64Tensor([1], [-1]))]);
    const zeros = ctx.op('ConstantOfShape', [ctx.addConstant('size', int64Tensor([1], [total]))]);
    const scattered = ctx.op('ScatterElements', [zeros, flat(indices), flat(dy)], { axis: intAttr(0), reduction: stringAttr('add') });
    ctx.setInputGrad(0, reshapeTo(ctx, scattered, xShape));
  },
};
