import { attrFloat } from '../../onnx/ir';
import { passThrough } from '../../prune/channel-rules';
import { scalar } from '../elementwise-gradients';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { OpImpl } from '../reference/tensor';
import { same } from '../shape-rules';

/** Y = X where X > 0, alpha·(e^X − 1) elsewhere (default alpha 1). */
const reference: OpImpl = (node, inputs) => {
  const alpha = attrFloat(node, 'alpha', 1);
  return unary((v) => (v > 0 ? v : alpha * Math.expm1(v)))(node, inputs);
};

export const Elu = defineOp({
  opType: 'Elu',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { alpha: 'float' } },
  shape: same,
  /** dX = dY where X > 0, dY·(Y + alpha) = dY·alpha·e^X elsewhere (reads X for the sign: alpha may be ≤ 0). */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const positive = ctx.op('Greater', [ctx.input(0), scalar(ctx, 'zero', 0)]);
      const slope = ctx.op('Add', [ctx.output(0), scalar(ctx, 'alpha', attrFloat(ctx.node, 'alpha', 1))]);
      ctx.setInputGrad(0, ctx.op('Where', [positive, dy, ctx.op('Mul', [dy, slope])]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Elu'),
  reference,
});
