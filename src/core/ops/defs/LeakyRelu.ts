import { attrFloat, floatTensor } from '../../onnx/ir';
import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { OpImpl } from '../reference/tensor';
import { same } from '../shape-rules';

const reference: OpImpl = (node, inputs) => {
  const alpha = attrFloat(node, 'alpha', 0.01);
  return unary((v) => (v > 0 ? v : alpha * v))(node, inputs);
};

export const LeakyRelu = defineOp({
  opType: 'LeakyRelu',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { alpha: 'float' } },
  shape: same,
  /** dX = dY where X > 0, alpha·dY elsewhere (reads X: the output's sign says nothing when alpha ≤ 0). */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const alpha = attrFloat(ctx.node, 'alpha', 0.01);
      const positive = ctx.op('Greater', [ctx.input(0), ctx.addConstant('zero', floatTensor([], [0]))]);
      const leaked = ctx.op('Mul', [dy, ctx.addConstant('alpha', floatTensor([], [alpha]))]);
      ctx.setInputGrad(0, ctx.op('Where', [positive, dy, leaked]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('LeakyRelu'),
  reference,
});
