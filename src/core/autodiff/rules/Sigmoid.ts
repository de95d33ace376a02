import { floatTensor } from '../../onnx/ir';
import { GradientRule } from '../rule';

/** dX = dY·Y·(1 − Y), from the output alone. */
export const Sigmoid: GradientRule = {
  opType: 'Sigmoid',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const y = ctx.output(0);
    const slope = ctx.op('Mul', [y, ctx.op('Sub', [ctx.addConstant('one', floatTensor([], [1])), y])]);
    ctx.setInputGrad(0, ctx.op('Mul', [dy, slope]));
  },
};
