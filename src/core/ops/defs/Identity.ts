import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { unary } from '../reference/elementwise';
import { same } from '../shape-rules';

export const Identity = defineOp({
  opType: 'Identity',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: same,
  /** dX = dY, of whatever (broadcastable) shape it arrives in. */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, dy, ctx.outputGradShape(0));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Identity'),
  reference: unary((v) => v),
});
