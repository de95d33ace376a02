import { attrFloat, attrInt, floatTensor, intAttr, floatAttr } from '../../onnx/ir';
import { GradientRule } from '../rule';
import { unbroadcast } from '../helpers';

/**
 * Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A (same for B). Each gradient is one Gemm with the
 * transposes chosen so that no Transpose node is needed.
 */
export const Gemm: GradientRule = {
  opType: 'Gemm',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy) return;
    const { node } = ctx;
    const alpha = attrFloat(node, 'alpha', 1);
    const beta = attrFloat(node, 'beta', 1);
    const transA = attrInt(node, 'transA', 0) === 1;
    const transB = attrInt(node, 'transB', 0) === 1;
    const [a, b] = [ctx.input(0), ctx.input(1)];
    const gemm = (x: string, y: string, tx: boolean, ty: boolean): string =>
      ctx.op('Gemm', [x, y], { transA: intAttr(tx ? 1 : 0), transB: intAttr(ty ? 1 : 0), alpha: floatAttr(alpha) });
    if (ctx.needsGrad(0)) {
      // dA' = dY·B'ᵀ ; dA = transA ? (dA')ᵀ = B'·dYᵀ : dA'
      ctx.setInputGrad(0, transA ? gemm(b, dy, transB, true) : gemm(dy, b, false, !transB));
    }
    if (ctx.needsGrad(1)) {
      // dB' = A'ᵀ·dY ; dB = transB ? (dB')ᵀ = dYᵀ·A' : dB'
      ctx.setInputGrad(1, transB ? gemm(dy, a, true, transA) : gemm(a, dy, !transA, false));
    }
    if (ctx.input(2) && ctx.needsGrad(2)) {
      const scaled = beta === 1 ? dy : ctx.op('Mul', [dy, ctx.addConstant('beta', floatTensor([], [beta]))]);
      ctx.setInputGrad(2, unbroadcast(ctx, scaled, ctx.shape(ctx.output(0)), ctx.shape(ctx.input(2))));
    }
  },
};
