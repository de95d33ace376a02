import { floatTensor } from '../../onnx/ir';
import { gradWhere } from '../../autodiff/helpers';
import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Relu = defineOp({
  opType: 'Relu',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY where Y > 0 (reads the output, so X need not be saved). A broadcast dY is expanded by the Mul. */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const positive = ctx.op('Greater', [ctx.output(0), ctx.addConstant('zero', floatTensor([], [0]))]);
      ctx.setInputGrad(0, gradWhere(ctx, positive, dy));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Relu'),
  reference: unary((v) => (v > 0 ? v : 0)),
});
