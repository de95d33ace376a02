import { floatTensor } from '../../onnx/ir';
import { GradientRule } from '../rule';

/** dX = dY where Y > 0 (reads the output, so X need not be saved). A broadcast dY is expanded by Where itself. */
export const Relu: GradientRule = {
  opType: 'Relu',
  acceptsBroadcastGrad: true,
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const zero = ctx.addConstant('zero', floatTensor([], [0]));
    const positive = ctx.op('Greater', [ctx.output(0), zero]);
    ctx.setInputGrad(0, ctx.op('Where', [positive, dy, zero]));
  },
};
