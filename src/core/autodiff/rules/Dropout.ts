import { GradientError, GradientRule } from '../rule';

/**
 * Inference-mode Dropout is the identity on its data; the mask output gets no gradient. training_mode must be
 * absent or a constant false (a training-mode mask would be random per run).
 */
export const Dropout: GradientRule = {
  opType: 'Dropout',
  build(ctx) {
    const trainingMode = ctx.input(2);
    if (trainingMode) {
      const value = ctx.constant(trainingMode);
      if (!value) throw new GradientError(ctx.node, `training_mode ('${trainingMode}') must be a constant`);
      if (value.data.length > 0 && Number(value.data[0]) !== 0) throw new GradientError(ctx.node, 'training-mode Dropout is not supported; export the model in eval mode');
    }
    for (const i of [1, 2]) {
      if (ctx.needsGrad(i)) throw new GradientError(ctx.node, `input ${i} ('${ctx.input(i)}') has no gradient`);
    }
    const dy = ctx.outputGrad(0);
    if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, dy);
  },
};
