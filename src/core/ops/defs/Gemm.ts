import { attrFloat, attrInt, floatAttr, floatTensor, intAttr } from '../../onnx/ir';
import { unbroadcast } from '../../autodiff/helpers';
import { isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { takeAlongAxis } from '../../prune/tensor-ops';
import { identityFor } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { gemm } from '../reference/linalg';
import { broadcastShapes, need } from '../shape-rules';

/** Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A and B' = transB ? Bᵀ : B; C broadcasts to [M, N]. */
export const Gemm = defineOp({
  opType: 'Gemm',
  scope: 'model',
  signature: {
    inputs: [2, 3],
    attributes: { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' },
    flags: ['transA', 'transB'],
  },
  shape: (n, s) => {
    const a = need(s[0], n, 0);
    const b = need(s[1], n, 1);
    const [transA, transB] = [attrInt(n, 'transA', 0), attrInt(n, 'transB', 0)];
    if (a.length !== 2 || b.length !== 2 || (transA ? a[0] : a[1]) !== (transB ? b[1] : b[0])) {
      throw new Error(`node '${n.name}' (Gemm): A [${a.join(', ')}] and B [${b.join(', ')}] (transA ${transA}, transB ${transB}) do not multiply`);
    }
    const m = transA ? a[1] : a[0];
    const k = transB ? b[0] : b[1];
    const c = n.inputs[2] ? s[2] : undefined;
    if (c && broadcastShapes([m, k], c, `node '${n.name}' (Gemm): C`).some((d, i) => d !== [m, k][i])) {
      throw new Error(`node '${n.name}' (Gemm): C [${c.join(', ')}] does not broadcast to the output [${m}, ${k}]`);
    }
    return [[m, k]];
  },
  /**
   * Each gradient is one Gemm with the transposes chosen so that no Transpose node is needed; alpha scales dA
   * and dB, beta scales dC (summed down to C's broadcast shape).
   */
  gradient: {
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
  },
  /**
   * B is the weight, [N, K] when transB=1 else [K, N]. Output features are rows of B (transB=1) or columns, and
   * C's last axis; input features the other axis of B. With transA=1, A's axis 1 is the batch, so pruned input
   * features cannot be removed. alpha and beta are scalars and need no slicing.
   */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      if (isPruned(map)) {
        if (attrInt(ctx.node, 'transA', 0) === 1) ctx.fail('with transA=1 its axis 1 is the batch, not the features, so pruned input features cannot be removed');
        const w = ctx.requireConstant(1, 'its weight B');
        ctx.setConstant(1, takeAlongAxis(w, attrInt(ctx.node, 'transB', 0) === 1 ? 1 : 0, map.kept));
      }
      if (isPruned(ctx.inputMap(1)) || isPruned(ctx.inputMap(2))) ctx.fail('only input A may carry pruned channels (B and C are expected to be constants)');
      return [identityFor(ctx.outputShape(0))];
    },
    pruneOut(ctx: PruneContext, keep: readonly number[]) {
      const transB = attrInt(ctx.node, 'transB', 0) === 1;
      const w = ctx.requireConstant(1, 'its weight B');
      const n = w.dims[transB ? 0 : 1];
      ctx.setConstant(1, takeAlongAxis(w, transB ? 0 : 1, keep));
      if (ctx.node.inputs[2]) {
        const c = ctx.requireConstant(2, 'its bias C');
        const last = c.dims.length - 1;
        if (last >= 0 && c.dims[last] === n && n !== 1) ctx.setConstant(2, takeAlongAxis(c, last, keep));
      }
    },
  },
  reference: gemm,
});
