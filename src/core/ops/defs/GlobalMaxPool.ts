import { intsAttr } from '../../onnx/ir';
import { channelsFirst } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { globalPooledShape } from '../pool-shape';
import { globalMaxPool } from '../reference/pool';
import { scatterToIndices } from './MaxPool';

export const GlobalMaxPool = defineOp({
  opType: 'GlobalMaxPool',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: globalPooledShape,
  /**
   * dY goes to the argmax of each (n, c) plane and nowhere else. The backward graph finds it with a MaxPool over
   * the whole plane (its Indices output, flat over N·C·spatial) and scatters dY there, as MaxPool's own rule
   * does; re-pooling X costs one pass over it and spares the forward graph an extra output. Ties: onnxruntime's
   * MaxPool keeps the first maximum in row-major order (strict '>'), so a tied plane sends all of dY to its first
   * maximal position, a valid subgradient (the reference kernels agree; a test pins it).
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const x = ctx.shape(ctx.input(0));
      const [, indices] = ctx.emit('MaxPool', [ctx.input(0)], { kernel_shape: intsAttr(x.slice(2)) }, 2);
      ctx.setInputGrad(0, scatterToIndices(ctx, dy, indices, x));
    },
  },
  /** Pools each channel separately: the output keeps the input's channels. */
  prune: channelsFirst('GlobalMaxPool'),
  reference: globalMaxPool,
});
