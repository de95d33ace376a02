import { reduceToInput } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { binary } from '../reference/elementwise';
import { elementwise } from '../shape-rules';

export const Add = defineOp({
  opType: 'Add',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: elementwise,
  /** dA = dB = dY, each summed over the axes it was broadcast along; a broadcast dY stays small. */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      for (const i of [0, 1]) {
        if (!ctx.needsGrad(i)) continue;
        const g = reduceToInput(ctx, dy, ctx.outputGradShape(0), ctx.shape(ctx.input(i)));
        ctx.setInputGrad(i, g.name, g.shape);
      }
    },
  },
  /** Broadcasting Add: operands spanning the channel axis must agree; per-channel constants are sliced. */
  prune: elementwiseChannels('Add'),
  reference: binary((a, b) => a + b),
});
