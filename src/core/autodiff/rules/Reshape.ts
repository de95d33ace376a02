import { GradientRule } from '../rule';
import { reshapeTo } from '../helpers';

/** dX is dY reshaped back to X's shape; the target-shape input gets no gradient. */
export const Reshape: GradientRule = {
  opType: 'Reshape',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, reshapeTo(ctx, dy, ctx.shape(ctx.input(0))));
  },
};
