import { floatTensor } from '../../onnx/ir';
import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { sigmoid, unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Sigmoid = defineOp({
  opType: 'Sigmoid',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY·Y·(1 − Y), from the output alone. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const y = ctx.output(0);
      const slope = ctx.op('Mul', [y, ctx.op('Sub', [ctx.addConstant('one', floatTensor([], [1])), y])]);
      ctx.setInputGrad(0, ctx.op('Mul', [dy, slope]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Sigmoid'),
  reference: unary(sigmoid),
});
