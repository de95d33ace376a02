import { attrInt, int64Tensor, intAttr } from '../../onnx/ir';
import { GradientRule } from '../rule';

/** Each input's gradient is its slab of dY along the concat axis: one Split with the input sizes. */
export const Concat: GradientRule = {
  opType: 'Concat',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy) return;
    const inputs = ctx.node.inputs;
    const rank = ctx.shape(ctx.output(0)).length;
    const rawAxis = attrInt(ctx.node, 'axis', 0);
    const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
    const sizes = inputs.map((name) => ctx.shape(name)[axis]);
    const parts = ctx.emit('Split', [dy, ctx.addConstant('split', int64Tensor([sizes.length], sizes))], { axis: intAttr(axis) }, sizes.length);
    inputs.forEach((_, i) => ctx.needsGrad(i) && ctx.setInputGrad(i, parts[i]));
  },
};
