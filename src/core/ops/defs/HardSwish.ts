import { floatAttr } from '../../onnx/ir';
import { passThrough } from '../../prune/channel-rules';
import { scalar } from '../elementwise-gradients';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

/** Y = X·HardSigmoid(X) with alpha = 1/6, beta = 0.5 (ONNX opset 14; PyTorch's nn.Hardswish). */
export const HardSwish = defineOp({
  opType: 'HardSwish',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /**
   * dY/dX = h + X/6 · [0 < h < 1] with h = HardSigmoid(X): 0 below −3, X/3 + 1/2 between, 1 above 3 (PyTorch's
   * hardswish_backward). h is recomputed from X with a HardSigmoid node rather than saved.
   */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const x = ctx.input(0);
      const h = ctx.op('HardSigmoid', [x], { alpha: floatAttr(1 / 6), beta: floatAttr(0.5) });
      const inside = ctx.op('And', [ctx.op('Greater', [h, scalar(ctx, 'zero', 0)]), ctx.op('Less', [h, scalar(ctx, 'one', 1)])]);
      const ramp = ctx.op('Mul', [ctx.op('Mul', [x, scalar(ctx, 'sixth', 1 / 6)]), ctx.op('Cast', [inside], { to: { type: 'int', value: 1 } })]);
      ctx.setInputGrad(0, ctx.op('Mul', [dy, ctx.op('Add', [h, ramp])]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('HardSwish'),
  reference: unary((v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))),
});
