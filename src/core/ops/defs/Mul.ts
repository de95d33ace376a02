import { int64Tensor } from '../../onnx/ir';
import { GradientContext } from '../../autodiff/rule';
import { reduceToInput } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { binary } from '../reference/elementwise';
import { broadcastShapes, elementwise } from '../shape-rules';

export const Mul = defineOp({
  opType: 'Mul',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: elementwise,
  /**
   * dA = dY·B, dB = dY·A, each summed over the axes it was broadcast along (this yields per-channel gate grads).
   * When dY is constant along axes that the result sums away anyway (e.g. the spatial axes after a
   * GlobalAveragePool), the other factor is summed over them first: Σ dY·B = dY·ΣB, one read instead of a
   * full-size product.
   */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const dyShape = ctx.outputGradShape(0);
      const outRank = ctx.shape(ctx.output(0)).length;
      for (const [i, other] of [[0, 1], [1, 0]] as const) {
        if (!ctx.needsGrad(i)) continue;
        const inShape = ctx.shape(ctx.input(i));
        const factor = presum(ctx, ctx.input(other), dyShape, inShape, outRank);
        const product = ctx.op('Mul', [dy, factor.name]);
        const g = reduceToInput(ctx, product, broadcastShapes(dyShape, factor.shape, `node '${ctx.node.name}'`), inShape);
        ctx.setInputGrad(i, g.name, g.shape);
      }
    },
  },
  /** Broadcasting Mul: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('Mul'),
  reference: binary((a, b) => a * b),
});

/** Sum `tensor` over the axes where dY has size 1 but it does not, and the input being differentiated has size 1. */
function presum(ctx: GradientContext, tensor: string, dyShape: readonly number[], inShape: readonly number[], outRank: number): { name: string; shape: readonly number[] } {
  const shape = ctx.shape(tensor);
  const pad = (s: readonly number[]): number[] => [...new Array<number>(outRank - s.length).fill(1), ...s];
  const [t, d, x] = [pad(shape), pad(dyShape), pad(inShape)];
  const axes = t.map((_, k) => k).filter((k) => d[k] === 1 && x[k] === 1 && t[k] !== 1);
  if (axes.length === 0 || t.length !== shape.length) return { name: tensor, shape };
  const summed = ctx.op('ReduceSum', [tensor, ctx.addConstant('axes', int64Tensor([axes.length], axes))], { keepdims: { type: 'int', value: 1 } });
  return { name: summed, shape: t.map((n, k) => (axes.includes(k) ? 1 : n)) };
}
