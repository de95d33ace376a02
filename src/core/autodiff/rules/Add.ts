import { GradientRule } from '../rule';
import { unbroadcast } from '../helpers';

export const Add: GradientRule = {
  opType: 'Add',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy) return;
    const outShape = ctx.shape(ctx.output(0));
    for (const i of [0, 1]) {
      if (ctx.needsGrad(i)) ctx.setInputGrad(i, unbroadcast(ctx, dy, outShape, ctx.shape(ctx.input(i))));
    }
  },
};
