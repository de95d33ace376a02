import { attrInt } from '../../onnx/ir';
import { unbroadcast } from '../../autodiff/helpers';
import { elementwise as elementwiseChannels } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { broadcastMap } from '../reference/elementwise';
import { OpImpl, required } from '../reference/tensor';
import { elementwise } from '../shape-rules';

/**
 * The remainder of A / B (Swin's shifted-window mask arithmetic, on shapes). fmod = 0 (integers only, as
 * onnxruntime requires) floors the quotient, so the result has the divisor's sign (Python's %: −7 mod 3 = 2);
 * fmod = 1 truncates it (C's fmod: the dividend's sign, −7 fmod 3 = −1). B = 0 gives NaN, which the constant
 * folding refuses for an integer result, as onnxruntime refuses an integer modulo by zero.
 */
export const Mod = defineOp({
  opType: 'Mod',
  scope: 'model',
  signature: { inputs: [2, 2], attributes: { fmod: 'int' }, flags: ['fmod'] },
  shape: elementwise,
  /**
   * Y = A − q·B with q = trunc(A/B) (fmod = 1) or floor(A/B) (fmod = 0), piecewise constant: dA = dY and
   * dB = −q·dY, each summed over the axes it was broadcast along (undefined at the jumps, where A/B is an integer,
   * as in PyTorch). q is recovered as (A − Y)/B, which needs no Floor op and holds for both conventions.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const outShape = ctx.shape(ctx.output(0));
      const [a, b] = [ctx.input(0), ctx.input(1)];
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, unbroadcast(ctx, dy, outShape, ctx.shape(a)));
      if (ctx.needsGrad(1)) {
        const quotient = ctx.op('Div', [ctx.op('Sub', [a, ctx.output(0)]), b]);
        ctx.setInputGrad(1, ctx.op('Neg', [unbroadcast(ctx, ctx.op('Mul', [dy, quotient]), outShape, ctx.shape(b))]));
      }
    },
  },
  /** Broadcasting like Div: operands spanning the channel axis must agree; per-channel divisors are sliced. */
  prune: elementwiseChannels('Mod'),
  reference: ((node, inputs) => {
    const floored = attrInt(node, 'fmod', 0) === 0;
    return [broadcastMap([required(node, inputs, 0), required(node, inputs, 1)], ([a, b]) => (floored ? flooredMod(a, b) : a % b))];
  }) satisfies OpImpl,
});

/** a mod b with the divisor's sign, exact (no a − b·floor(a/b), which rounds for large a). */
function flooredMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}
