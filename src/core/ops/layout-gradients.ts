/** Gradient facets shared by ops that only change a tensor's layout. */
import { reshapeTo } from '../autodiff/helpers';
import { GradientFacet } from './op';

/** Reshape, Flatten, Squeeze, Unsqueeze: the values keep their order, so dX is dY reshaped back to X's shape. */
export const reshapeBack: GradientFacet = {
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, reshapeTo(ctx, dy, ctx.shape(ctx.input(0))));
  },
};
