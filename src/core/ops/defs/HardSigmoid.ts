import { attrFloat } from '../../onnx/ir';
import { gradWhere } from '../../autodiff/helpers';
import { passThrough } from '../../prune/channel-rules';
import { scalar } from '../elementwise-gradients';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { OpImpl } from '../reference/tensor';
import { same } from '../shape-rules';

/** Y = max(0, min(1, alpha·X + beta)), defaults alpha = 0.2, beta = 0.5 (ONNX). */
const reference: OpImpl = (node, inputs) => {
  const [alpha, beta] = [attrFloat(node, 'alpha', 0.2), attrFloat(node, 'beta', 0.5)];
  return unary((v) => Math.max(0, Math.min(1, alpha * v + beta)))(node, inputs);
};

export const HardSigmoid = defineOp({
  opType: 'HardSigmoid',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { alpha: 'float', beta: 'float' } },
  shape: same,
  /**
   * dX = alpha·dY where the line alpha·X + beta is inside (0, 1), else 0. Read from the output (0 < Y < 1 there,
   * exactly), so X need not be saved; a broadcast dY is expanded by the Mul.
   */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const y = ctx.output(0);
      const inside = ctx.op('And', [ctx.op('Greater', [y, scalar(ctx, 'zero', 0)]), ctx.op('Less', [y, scalar(ctx, 'one', 1)])]);
      ctx.setInputGrad(0, ctx.op('Mul', [gradWhere(ctx, inside, dy), scalar(ctx, 'alpha', attrFloat(ctx.node, 'alpha', 0.2))]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('HardSigmoid'),
  reference,
});
