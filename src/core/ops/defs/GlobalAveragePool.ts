import { floatTensor } from '../../onnx/ir';
import { channelsFirst } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { globalPooledShape } from '../pool-shape';
import { globalAveragePool } from '../reference/pool';

export const GlobalAveragePool = defineOp({
  opType: 'GlobalAveragePool',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: globalPooledShape,
  /** dX = dY / (number of spatial positions), left as [N, C, 1, …]: it broadcasts to X, so nothing is expanded. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const xShape = ctx.shape(ctx.input(0));
      const positions = xShape.slice(2).reduce((a, b) => a * b, 1);
      const scaled = ctx.op('Mul', [dy, ctx.addConstant('inv_area', floatTensor([], [1 / positions]))]);
      ctx.setInputGrad(0, scaled, ctx.shape(ctx.output(0)));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: channelsFirst('GlobalAveragePool'),
  reference: globalAveragePool,
});
