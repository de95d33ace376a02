import { GradientError } from '../../autodiff/rule';
import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { mapValues } from '../reference/elementwise';
import { OpImpl, required } from '../reference/tensor';
import { need } from '../shape-rules';

/**
 * Inference mode, or training mode with ratio 0 (torchvision 0.14's Swin calls F.dropout without `training=`, so
 * its export says training_mode = true with ratio 0.0): the data passes through and the mask is all true.
 */
const reference: OpImpl = (node, inputs) => {
  const training = inputs[2] && inputs[2].data[0] !== 0;
  const ratio = inputs[1] ? inputs[1].data[0] : 0.5;
  if (training && ratio !== 0) throw new Error(`reference interpreter: node '${node.name}' (Dropout) in training mode with ratio ${ratio} is not supported`);
  const x = required(node, inputs, 0);
  return [mapValues(x, (v) => v), mapValues(x, () => 1)];
};

export const Dropout = defineOp({
  opType: 'Dropout',
  scope: 'model',
  // ratio was an attribute before opset 12; still type-checked so a malformed file is refused by name.
  signature: { inputs: [1, 3], outputs: 2, attributes: { ratio: 'float', seed: 'int' } },
  shape: (n, s) => [[...need(s[0], n, 0)], [...need(s[0], n, 0)]],
  /**
   * Inference-mode Dropout is the identity on its data; the mask output gets no gradient. training_mode must be
   * absent or a constant false (a training-mode mask would be random per run), unless the ratio is a constant 0.
   */
  gradient: {
    build(ctx) {
      const trainingMode = ctx.input(2);
      if (trainingMode) {
        const value = ctx.constant(trainingMode);
        if (!value) throw new GradientError(ctx.node, `training_mode ('${trainingMode}') must be a constant`);
        const ratio = ctx.input(1) ? ctx.constant(ctx.input(1)) : undefined;
        const dropsNothing = ratio !== undefined && ratio.data.length > 0 && Number(ratio.data[0]) === 0;
        if (value.data.length > 0 && Number(value.data[0]) !== 0 && !dropsNothing) {
          throw new GradientError(ctx.node, 'training-mode Dropout with a non-zero ratio is not supported (its mask is random per run); export the model in eval mode');
        }
      }
      for (const i of [1, 2]) {
        if (ctx.needsGrad(i)) throw new GradientError(ctx.node, `input ${i} ('${ctx.input(i)}') has no gradient`);
      }
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, dy);
    },
  },
  /** Acts on each channel separately: both outputs keep the input's channels. */
  prune: passThrough('Dropout'),
  reference,
});
