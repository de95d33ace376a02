import { GradientRule } from '../rule';
import { reshapeTo } from '../helpers';

export const Flatten: GradientRule = {
  opType: 'Flatten',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, reshapeTo(ctx, dy, ctx.shape(ctx.input(0))));
  },
};
