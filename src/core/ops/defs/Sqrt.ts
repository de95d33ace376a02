import { floatTensor } from '../../onnx/ir';
import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Sqrt = defineOp({
  opType: 'Sqrt',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY / (2·Y), from the output alone (training-mode batch normalisation's standard deviation). */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const half = ctx.op('Mul', [dy, ctx.addConstant('half', floatTensor([], [0.5]))]);
      ctx.setInputGrad(0, ctx.op('Div', [half, ctx.output(0)]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Sqrt'),
  reference: unary(Math.sqrt),
});
