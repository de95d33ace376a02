import { floatTensor } from '../../onnx/ir';
import { GradientRule } from '../rule';

/** dX = dY / (2·Y), from the output alone (training-mode batch normalisation's standard deviation). */
export const Sqrt: GradientRule = {
  opType: 'Sqrt',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const half = ctx.op('Mul', [dy, ctx.addConstant('half', floatTensor([], [0.5]))]);
    ctx.setInputGrad(0, ctx.op('Div', [half, ctx.output(0)]));
  },
};
