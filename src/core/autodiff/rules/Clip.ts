import { GradientError, GradientRule } from '../rule';
import { gradWhere } from '../helpers';

/**
 * dX = dY where min < X < max (each bound optional, as in ONNX), else 0. The bounds themselves get no gradient;
 * they are constants in the models this engine handles.
 */
export const Clip: GradientRule = {
  opType: 'Clip',
  build(ctx) {
    const dy = ctx.outputGrad(0);
    if (!dy) return;
    for (const i of [1, 2]) {
      if (ctx.needsGrad(i)) throw new GradientError(ctx.node, `gradients of the clip bound input ${i} ('${ctx.input(i)}') are not supported`);
    }
    if (!ctx.needsGrad(0)) return;
    const x = ctx.input(0);
    const aboveMin = ctx.input(1) ? ctx.op('Greater', [x, ctx.input(1)]) : undefined;
    const belowMax = ctx.input(2) ? ctx.op('Less', [x, ctx.input(2)]) : undefined;
    const inside = aboveMin && belowMax ? ctx.op('And', [aboveMin, belowMax]) : (aboveMin ?? belowMax);
    ctx.setInputGrad(0, inside ? gradWhere(ctx, inside, dy) : dy);
  },
};
