import { floatTensor } from '../../onnx/ir';
import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Tanh = defineOp({
  opType: 'Tanh',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY·(1 − Y²), from the output alone. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const y = ctx.output(0);
      const slope = ctx.op('Sub', [ctx.addConstant('one', floatTensor([], [1])), ctx.op('Mul', [y, y])]);
      ctx.setInputGrad(0, ctx.op('Mul', [dy, slope]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Tanh'),
  reference: unary(Math.tanh),
});
