import { attrInt } from '../../onnx/ir';
import { GradientError } from '../../autodiff/rule';
import { passThrough } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { mapValues } from '../reference/elementwise';
import { OpImpl, required } from '../reference/tensor';
import { same } from '../shape-rules';

/** ONNX element types: float, float16, double, bfloat16. */
const FLOAT_TYPES = new Set([1, 10, 11, 16]);
const BOOL = 9;

/** Booleans are 0/1 here; float targets keep the value, integer ones truncate, bool tests for non-zero. */
const reference: OpImpl = (node, inputs) => {
  const to = attrInt(node, 'to', 1);
  const convert = FLOAT_TYPES.has(to) ? (v: number) => v : to === BOOL ? (v: number) => (v !== 0 ? 1 : 0) : Math.trunc;
  return [mapValues(required(node, inputs, 0), convert)];
};

export const Cast = defineOp({
  opType: 'Cast',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { to: 'int', saturate: 'int' } },
  shape: same,
  /**
   * Between float types the value passes, and so does dY (the engine's backward graphs are float32 throughout).
   * A cast to an integer or boolean type is piecewise constant: the backward pass stops gradients at its output
   * (output-dtypes.ts), and an integer input never needs one, so only a float → float cast reaches this rule.
   */
  gradient: {
    acceptsBroadcastGrad: true,
    build(ctx) {
      const to = attrInt(ctx.node, 'to', 1);
      if (!FLOAT_TYPES.has(to)) {
        throw new GradientError(ctx.node, `a Cast to the non-float element type ${to} has no gradient: integer and boolean values are piecewise constant`);
      }
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, dy, ctx.outputGradShape(0));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Cast'),
  reference,
});
