import { Node, attrString } from '../../onnx/ir';
import { GradientContext } from '../../autodiff/rule';
import { passThrough } from '../../prune/channel-rules';
import { scalar } from '../elementwise-gradients';
import { defineOp } from '../op';
import { erf, unary } from '../reference/elementwise';
import { OpImpl } from '../reference/tensor';
import { same } from '../shape-rules';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

/** The `approximate` attribute: 'none' (exact, with erf) or 'tanh'; anything else is refused by name. */
function approximation(node: Node): 'none' | 'tanh' {
  const a = attrString(node, 'approximate', 'none');
  if (a !== 'none' && a !== 'tanh') throw new Error(`node '${node.name}' (Gelu): attribute 'approximate' should be 'none' or 'tanh', found '${a}'`);
  return a;
}

const exact = (v: number): number => 0.5 * v * (1 + erf(v / Math.SQRT2));
const tanhForm = (v: number): number => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + CUBIC * v * v * v)));

const reference: OpImpl = (node, inputs) => unary(approximation(node) === 'tanh' ? tanhForm : exact)(node, inputs);

/**
 * GELU, ONNX opset 20. The forward runs at the model's own opset; the backward graphs are built at the engine's
 * opset (17, which has no Gelu), so the gradient is written out in Erf / Tanh / Exp / Mul / Add.
 */
export const Gelu = defineOp({
  opType: 'Gelu',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { approximate: 'string' } },
  shape: (n, s, constants) => {
    approximation(n);
    return same(n, s, constants);
  },
  /**
   * 'none': dY/dX = Φ(X) + X·φ(X) with Φ(X) = (1 + erf(X/√2))/2 and φ(X) = exp(−X²/2)/√(2π).
   * 'tanh': with u = √(2/π)(X + 0.044715X³) and t = tanh(u): dY/dX = (1 + t)/2 + X/2 · (1 − t²) · √(2/π)(1 + 3·0.044715X²).
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const slope = approximation(ctx.node) === 'tanh' ? tanhSlope(ctx, ctx.input(0)) : exactSlope(ctx, ctx.input(0));
      ctx.setInputGrad(0, ctx.op('Mul', [dy, slope]));
    },
  },
  /** Acts on each channel separately: the output keeps the input's channels. */
  prune: passThrough('Gelu'),
  reference,
});

function exactSlope(ctx: GradientContext, x: string): string {
  const cdf = ctx.op('Mul', [ctx.op('Add', [ctx.op('Erf', [ctx.op('Mul', [x, scalar(ctx, 'inv_sqrt2', Math.SQRT1_2)])]), scalar(ctx, 'one', 1)]), scalar(ctx, 'half', 0.5)]);
  const bell = ctx.op('Exp', [ctx.op('Mul', [ctx.op('Mul', [x, x]), scalar(ctx, 'minus_half', -0.5)])]);
  const pdf = ctx.op('Mul', [bell, scalar(ctx, 'inv_sqrt_2pi', 1 / Math.sqrt(2 * Math.PI))]);
  return ctx.op('Add', [cdf, ctx.op('Mul', [x, pdf])]);
}

function tanhSlope(ctx: GradientContext, x: string): string {
  const x2 = ctx.op('Mul', [x, x]);
  const inner = ctx.op('Add', [x, ctx.op('Mul', [ctx.op('Mul', [x2, x]), scalar(ctx, 'cubic', CUBIC)])]);
  const t = ctx.op('Tanh', [ctx.op('Mul', [inner, scalar(ctx, 'sqrt_2_over_pi', SQRT_2_OVER_PI)])]);
  const left = ctx.op('Mul', [ctx.op('Add', [t, scalar(ctx, 'one', 1)]), scalar(ctx, 'half', 0.5)]);
  const du = ctx.op('Mul', [ctx.op('Add', [ctx.op('Mul', [x2, scalar(ctx, 'cubic3', 3 * CUBIC)]), scalar(ctx, 'one', 1)]), scalar(ctx, 'sqrt_2_over_pi', SQRT_2_OVER_PI)]);
  const sech2 = ctx.op('Sub', [scalar(ctx, 'one', 1), ctx.op('Mul', [t, t])]);
  const right = ctx.op('Mul', [ctx.op('Mul', [ctx.op('Mul', [x, scalar(ctx, 'half', 0.5)]), sech2]), du]);
  return ctx.op('Add', [left, right]);
}
