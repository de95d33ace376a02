import { floatTensor } from '../../onnx/ir';
import { GradientRule } from '../rule';

/** dX = dY·(1 − Y²), from the output alone. */
export const Tanh: GradientRule = {
  opType: 'Tanh',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const y = ctx.output(0);
    const slope = ctx.op('Sub', [ctx.addConstant('one', floatTensor([], [1])), ctx.op('Mul', [y, y])]);
    ctx.setInputGrad(0, ctx.op('Mul', [dy, slope]));
  },
};
