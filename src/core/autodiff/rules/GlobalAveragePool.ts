import { floatTensor } from '../../onnx/ir';
import { GradientRule } from '../rule';

/** dX = dY / (number of spatial positions), left as [N, C, 1, …]: it broadcasts to X, so nothing is expanded. */
export const GlobalAveragePool: GradientRule = {
  opType: 'GlobalAveragePool',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const xShape = ctx.shape(ctx.input(0));
    const positions = xShape.slice(2).reduce((a, b) => a * b, 1);
    const scaled = ctx.op('Mul', [dy, ctx.addConstant('inv_area', floatTensor([], [1 / positions]))]);
    ctx.setInputGrad(0, scaled, ctx.shape(ctx.output(0)));
  },
};
