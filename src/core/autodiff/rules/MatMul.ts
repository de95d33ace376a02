import { intsAttr } from '../../onnx/ir';
import { GradientContext, GradientError, GradientRule } from '../rule';
import { unbroadcast } from '../helpers';

/**
 * Y = A·B over broadcast batch axes (operands of rank ≥ 2): dA = dY·Bᵀ and dB = Aᵀ·dY, computed at the
 * broadcast batch shape and then summed back down to each operand's own shape.
 */
export const MatMul: GradientRule = {
  opType: 'MatMul',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy) return;
    const [a, b] = [ctx.input(0), ctx.input(1)];
    const [aShape, bShape] = [ctx.shape(a), ctx.shape(b)];
    if (aShape.length < 2 || bShape.length < 2) throw new GradientError(ctx.node, '1-D operands are not supported');
    const batch = ctx.shape(ctx.output(0)).slice(0, -2);
    if (ctx.needsGrad(0)) {
      const full = ctx.op('MatMul', [dy, transposeLastTwo(ctx, b, bShape.length)]);
      ctx.setInputGrad(0, unbroadcast(ctx, full, [...batch, ...aShape.slice(-2)], aShape));
    }
    if (ctx.needsGrad(1)) {
      const full = ctx.op('MatMul', [transposeLastTwo(ctx, a, aShape.length), dy]);
      ctx.setInputGrad(1, unbroadcast(ctx, full, [...batch, ...bShape.slice(-2)], bShape));
    }
  },
};

function transposeLastTwo(ctx: GradientContext, tensor: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return ctx.op('Transpose', [tensor], { perm: intsAttr(perm) });
}
