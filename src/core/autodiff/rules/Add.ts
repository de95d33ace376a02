import { GradientRule } from '../rule';
import { reduceToInput } from '../helpers';

export const Add: GradientRule = {
  opType: 'Add',
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
};
