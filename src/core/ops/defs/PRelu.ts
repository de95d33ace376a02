import { unbroadcast } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { scalar } from '../elementwise-gradients';
import { defineOp } from '../op';
import { binary } from '../reference/elementwise';
import { need } from '../shape-rules';

export const PRelu = defineOp({
  opType: 'PRelu',
  scope: 'model',
  signature: { inputs: [2, 2] },
  /** The slope broadcasts to X (one way, as ONNX says): the output has X's shape. */
  shape: (n, s) => {
    const [x, slope] = [need(s[0], n, 0), need(s[1], n, 1)];
    const offset = x.length - slope.length;
    if (offset < 0 || slope.some((d, i) => d !== 1 && d !== x[offset + i])) {
      throw new Error(`node '${n.name}' (PRelu): slope [${slope.join(', ')}] should broadcast to the input [${x.join(', ')}]`);
    }
    return [[...x]];
  },
  /**
   * Y = X where X > 0, slope·X elsewhere. dX = dY where X > 0, slope·dY elsewhere; dSlope = dY·min(X, 0), summed
   * over the axes the slope was broadcast along (a per-channel slope gets one sum per channel).
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const [x, slope] = [ctx.input(0), ctx.input(1)];
      const outShape = ctx.shape(ctx.output(0));
      if (ctx.needsGrad(0)) {
        const positive = ctx.op('Greater', [x, scalar(ctx, 'zero', 0)]);
        ctx.setInputGrad(0, ctx.op('Where', [positive, dy, ctx.op('Mul', [dy, slope])]));
      }
      if (ctx.needsGrad(1)) {
        const negativePart = ctx.op('Min', [x, scalar(ctx, 'zero', 0)]);
        ctx.setInputGrad(1, unbroadcast(ctx, ctx.op('Mul', [dy, negativePart]), outShape, ctx.shape(slope)));
      }
    },
  },
  /**
   * Per channel when the slope is per-channel ([C, 1, 1] against [N, C, H, W], or [C] against [N, C]): a constant
   * slope is sliced to the kept channels; a shared (size-1) slope is left alone.
   */
  prune: elementwiseChannels('PRelu'),
  reference: binary((x, slope) => (x > 0 ? x : slope * x)),
});
