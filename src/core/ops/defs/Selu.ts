import { Node, attrFloat } from '../../onnx/ir';
import { passThrough } from '../../prune/channel-rules';
import { scalar } from '../elementwise-gradients';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { OpImpl } from '../reference/tensor';
import { same } from '../shape-rules';

/** ONNX's defaults (float32 values of the SELU paper's constants). */
function constants(node: Node): { alpha: number; gamma: number } {
  return { alpha: attrFloat(node, 'alpha', 1.67326319217681884765625), gamma: attrFloat(node, 'gamma', 1.05070102214813232421875) };
}

/** Y = gamma·X where X > 0, gamma·alpha·(e^X − 1) elsewhere. */
const reference: OpImpl = (node, inputs) => {
  const { alpha, gamma } = constants(node);
  return unary((v) => gamma * (v > 0 ? v : alpha * Math.expm1(v)))(node, inputs);
};

export const Selu = defineOp({
  opType: 'Selu',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { alpha: 'float', gamma: 'float' } },
  shape: same,
  /** dX = gamma·dY where X > 0, dY·(Y + gamma·alpha) = dY·gamma·alpha·e^X elsewhere. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const { alpha, gamma } = constants(ctx.node);
      const positive = ctx.op('Greater', [ctx.input(0), scalar(ctx, 'zero', 0)]);
      const linear = ctx.op('Mul', [dy, scalar(ctx, 'gamma', gamma)]);
      const curved = ctx.op('Mul', [dy, ctx.op('Add', [ctx.output(0), scalar(ctx, 'gamma_alpha', gamma * alpha)])]);
      ctx.setInputGrad(0, ctx.op('Where', [positive, linear, curved]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Selu'),
  reference,
});
