import { attrInts, intsAttr } from '../../onnx/ir';
import { GradientRule } from '../rule';

/** dX = Transpose(dY) with the inverse permutation (the default perm reverses the axes). */
export const Transpose: GradientRule = {
  opType: 'Transpose',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const rank = ctx.shape(ctx.input(0)).length;
    const perm = attrInts(ctx.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    ctx.setInputGrad(0, ctx.op('Transpose', [dy], { perm: intsAttr(inverse) }));
  },
};
