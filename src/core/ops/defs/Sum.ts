import { reduceToInput } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { variadic } from '../reference/elementwise';
import { variadicElementwise } from '../shape-rules';

/** Variadic broadcasting sum (the backward pass accumulates fan-out with it; models may use it too). */
export const Sum = defineOp({
  opType: 'Sum',
  scope: 'model',
  signature: { inputs: [1, Infinity] },
  shape: variadicElementwise,
  /** Every operand gets dY, summed over the axes it was broadcast along; a broadcast dY stays small. */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      ctx.node.inputs.forEach((input, i) => {
        if (!ctx.needsGrad(i)) return;
        const g = reduceToInput(ctx, dy, ctx.outputGradShape(0), ctx.shape(input));
        ctx.setInputGrad(i, g.name, g.shape);
      });
    },
  },
  /** Broadcasting like Add: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('Sum'),
  reference: variadic((values) => values.reduce((a, b) => a + b, 0)),
});
