import { GradientError } from '../../autodiff/rule';
import { gradWhere } from '../../autodiff/helpers';
import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { mapValues } from '../reference/elementwise';
import { OpImpl, required } from '../reference/tensor';
import { same } from '../shape-rules';

/** Bounds are optional inputs (opset ≥ 11, the oldest the reader accepts). */
const reference: OpImpl = (node, inputs) => {
  const lo = inputs[1] ? inputs[1].data[0] : -Infinity;
  const hi = inputs[2] ? inputs[2].data[0] : Infinity;
  return [mapValues(required(node, inputs, 0), (v) => Math.min(Math.max(v, lo), hi))];
};

export const Clip = defineOp({
  opType: 'Clip',
  scope: 'model',
  // min/max were attributes before opset 11; still type-checked so a malformed file is refused by name.
  signature: { inputs: [1, 3], attributes: { min: 'float', max: 'float' } },
  shape: same,
  /**
   * dX = dY where min < X < max (each bound optional, as in ONNX), else 0. The bounds themselves get no gradient;
   * they are constants in the models this engine handles. The test reads the output Y, not X: with Y = min(max(X,
   * min), max), min < Y < max holds exactly where min < X < max does (also for min ≥ max, where both are empty),
   * and reading Y leaves the conv before a ReLU6 free to fuse it in onnxruntime (its output is no longer saved for
   * the backward graph): MobileNetV2's forward step lost one ReorderOutput and one Clip pass per block.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      for (const i of [1, 2]) {
        if (ctx.needsGrad(i)) throw new GradientError(ctx.node, `gradients of the clip bound input ${i} ('${ctx.input(i)}') are not supported`);
      }
      if (!ctx.needsGrad(0)) return;
      const y = ctx.output(0);
      const aboveMin = ctx.input(1) ? ctx.op('Greater', [y, ctx.input(1)]) : undefined;
      const belowMax = ctx.input(2) ? ctx.op('Less', [y, ctx.input(2)]) : undefined;
      const inside = aboveMin && belowMax ? ctx.op('And', [aboveMin, belowMax]) : (aboveMin ?? belowMax);
      ctx.setInputGrad(0, inside ? gradWhere(ctx, inside, dy) : dy);
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Clip'),
  reference,
});
