import { GradientRule } from '../rule';

export const Identity: GradientRule = {
  opType: 'Identity',
  acceptsBroadcastGrad: true,
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, dy, ctx.outputGradShape(0));
  },
};
