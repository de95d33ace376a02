import { attrFloat, floatTensor } from '../../onnx/ir';
import { GradientRule } from '../rule';

/** dX = dY where X > 0, alpha·dY elsewhere (reads X: the output's sign says nothing when alpha ≤ 0). */
export const LeakyRelu: GradientRule = {
  opType: 'LeakyRelu',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy || !ctx.needsGrad(0)) return;
    const alpha = attrFloat(ctx.node, 'alpha', 0.01);
    const positive = ctx.op('Greater', [ctx.input(0), ctx.addConstant('zero', floatTensor([], [0]))]);
    const leaked = ctx.op('Mul', [dy, ctx.addConstant('alpha', floatTensor([], [alpha]))]);
    ctx.setInputGrad(0, ctx.op('Where', [positive, dy, leaked]));
  },
};
