import { floatTensor } from '../../onnx/ir';
import { GradientRule } from '../rule';
import { gradWhere } from '../helpers';

/** dX = dY where Y > 0 (reads the output, so X need not be saved). A broadcast dY is expanded by the Mul. */
export const Relu: GradientRule = {
  opType: 'Relu',
  acceptsBroadcastGrad: true,
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const positive = ctx.op('Greater', [ctx.output(0), ctx.addConstant('zero', floatTensor([], [0]))]);
    ctx.setInputGrad(0, gradWhere(ctx, positive, dy));
  },
};
