import { Node, Tensor, intsAttr, makeTensor } from '../../onnx/ir';
import { GradientContext } from '../../autodiff/rule';
import { reshapeTo, unbroadcast } from '../../autodiff/helpers';
import { isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { takeAlongAxis } from '../../prune/tensor-ops';
import { identityFor, shifted } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { matMul } from '../reference/linalg';
import { broadcastShapes, need } from '../shape-rules';

/**
 * numpy matmul: operands of rank ≥ 2 multiply their last two axes and broadcast the rest (batch axes); a 1-D A
 * is a row [1, K] and a 1-D B a column [K, 1], and the added axis is dropped from the result.
 */
interface Promoted {
  readonly a: readonly number[];
  readonly b: readonly number[];
  /** The result before the added axes are dropped: [...batch, M, N]. */
  readonly full: readonly number[];
  readonly out: readonly number[];
}

function promote(node: Node, a: readonly number[], b: readonly number[]): Promoted {
  if (a.length === 0 || b.length === 0) throw new Error(`node '${node.name}' (MatMul): scalar operands do not multiply (A [${a.join(', ')}], B [${b.join(', ')}])`);
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  if (a2[a2.length - 1] !== b2[b2.length - 2]) throw new Error(`node '${node.name}' (MatMul): [${a.join(', ')}] and [${b.join(', ')}] do not multiply`);
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2), `node '${node.name}' (MatMul) batch axes`);
  const [m, n] = [a2[a2.length - 2], b2[b2.length - 1]];
  return { a: a2, b: b2, full: [...batch, m, n], out: [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])] };
}

export const MatMul = defineOp({
  opType: 'MatMul',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: (n, s) => [[...promote(n, need(s[0], n, 0), need(s[1], n, 1)).out]],
  /**
   * dA = dY·Bᵀ and dB = Aᵀ·dY at the broadcast batch shape, then summed back down to each operand's own shape
   * (so a weight shared across the batch axes gets the sum). 1-D operands work on their promoted 2-D forms.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const [a, b] = [ctx.input(0), ctx.input(1)];
      const [aShape, bShape] = [ctx.shape(a), ctx.shape(b)];
      const p = promote(ctx.node, aShape, bShape);
      const batch = p.full.slice(0, -2);
      const dyFull = p.out.length === p.full.length ? dy : reshapeTo(ctx, dy, p.full);
      const back = (grad: string, promoted: readonly number[], own: readonly number[]): string => {
        const summed = unbroadcast(ctx, grad, [...batch, ...promoted.slice(-2)], promoted);
        return own.length === promoted.length ? summed : reshapeTo(ctx, summed, own);
      };
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, back(ctx.op('MatMul', [dyFull, lastTwoSwapped(ctx, b, bShape, p.b)]), p.a, aShape));
      if (ctx.needsGrad(1)) ctx.setInputGrad(1, back(ctx.op('MatMul', [lastTwoSwapped(ctx, a, aShape, p.a), dyFull]), p.b, bShape));
    },
  },
  /**
   * A·W with W a constant [K, N] (or a vector [K]) and A of any rank ≥ 2 ([N, K], [N, tokens, K], [N, H, W, K]):
   * features are A's last axis. Pruned input features are rows of W; output features (units) are columns of W, on
   * the output's last axis. (A following bias Add is sliced by the Add's rule.) Channels pruned on another axis of
   * A (rows, or a batch axis W does not span) pass through: every output row reads its own row of A.
   */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      const out = ctx.outputShape(0);
      if (isPruned(ctx.inputMap(1))) ctx.fail('only its first input may carry pruned features');
      if (!isPruned(map)) return [identityFor(out)];
      const a = ctx.inputShape(0);
      if (map.axis === a.length - 1) {
        const w = ctx.requireConstant(1, 'its weight');
        if (w.dims.length > 2) ctx.fail(`its weight has rank ${w.dims.length}; a 2-D weight [K, N] or a vector [K] is expected to remove input features`);
        ctx.setConstant(1, takeAlongAxis(w, 0, map.kept));
        return [identityFor(out)];
      }
      const b = ctx.inputShape(1);
      // A batch axis of A that B spans pairs A's channels with B's entries, which would have to go too.
      const bAxis = map.axis - (a.length - b.length);
      if (map.axis < a.length - 2 && bAxis >= 0 && b[bAxis] !== 1) {
        ctx.fail(`its input '${ctx.node.inputs[0]}' holds its partly pruned channels on batch axis ${map.axis}, which its second input '${ctx.node.inputs[1]}' [${b.join(', ')}] also spans`);
      }
      return [shifted(map, out.length - a.length)];
    },
    pruneOut(ctx: PruneContext, keep: readonly number[]) {
      const w = ctx.requireConstant(1, 'its weight');
      if (w.dims.length !== 2) ctx.fail('only a MatMul with a 2-D weight [K, N] can lose output features');
      ctx.setConstant(1, takeAlongAxis(w, 1, keep));
    },
  },
  reference: matMul,
});

/**
 * The operand's promoted form with its last two axes swapped: a 1-D vector is only reshaped (a row [1, K] becomes
 * [K, 1], a column [K, 1] becomes [1, K]); a constant is transposed once here (a weight would otherwise be
 * transposed on every backward pass).
 */
function lastTwoSwapped(ctx: GradientContext, tensor: string, shape: readonly number[], promoted: readonly number[]): string {
  if (shape.length === 1) return reshapeTo(ctx, tensor, [promoted[1], promoted[0]]);
  const constant = ctx.constant(tensor);
  if (constant && constant.dtype === 'float32') return ctx.addConstant('transposed', swapLastTwo(constant));
  const perm = shape.map((_, i) => i);
  [perm[shape.length - 2], perm[shape.length - 1]] = [perm[shape.length - 1], perm[shape.length - 2]];
  return ctx.op('Transpose', [tensor], { perm: intsAttr(perm) });
}

function swapLastTwo(t: Tensor): Tensor {
  const dims = t.dims;
  const [rows, cols] = dims.slice(-2);
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let base = 0; base < src.length; base += rows * cols) {
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[base + j * rows + i] = src[base + i * cols + j];
  }
  return makeTensor('float32', [...dims.slice(0, -2), cols, rows], out);
}
