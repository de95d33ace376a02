/**
 * The backward pass shared by LayerNormalization, GroupNormalization and InstanceNormalization: Y = x̂·scale + B
 * with x̂ = (X − μ)·σ⁻¹ over some axes (n values each). With g = dY·scale,
 *   dX = σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)),
 * the textbook result (Ioffe & Szegedy 2015, §3). μ and σ⁻¹ are recomputed from X in the backward graph, two-pass
 * (centred before squaring), rather than saved from the forward: the ops that produced Y do not expose them.
 * Everything stays in X's layout with keepdims reductions, so scale broadcasts as it did in the forward.
 */
import { floatTensor, int64Tensor, intAttr } from '../onnx/ir';
import { GradientContext } from '../autodiff/rule';

export interface NormalizedTensor {
  /** X in the layout whose `axes` hold each normalised block (a Reshape of the node's input, or the input). */
  readonly x: string;
  readonly shape: readonly number[];
  readonly axes: readonly number[];
  readonly epsilon: number;
}

export interface NormalizationBackward {
  /** x̂, in the layout. */
  readonly normalized: string;
  /** dX in the layout, for an upstream dY and a scale that broadcasts to the layout (undefined: scale 1). */
  inputGrad(dy: string, scale: string | undefined): string;
}

export function normalizationBackward(ctx: GradientContext, t: NormalizedTensor): NormalizationBackward {
  const count = t.axes.reduce((p, a) => p * t.shape[a], 1);
  const axes = ctx.addConstant('norm_axes', int64Tensor([t.axes.length], t.axes));
  const invCount = ctx.addConstant('inv_count', floatTensor([], [1 / count]));
  const mean = (v: string): string => ctx.op('Mul', [ctx.op('ReduceSum', [v, axes], { keepdims: intAttr(1) }), invCount]);
  const centred = ctx.op('Sub', [t.x, mean(t.x)]);
  const variance = mean(ctx.op('Mul', [centred, centred]));
  const std = ctx.op('Sqrt', [ctx.op('Add', [variance, ctx.addConstant('epsilon', floatTensor([], [t.epsilon]))])]);
  const invStd = ctx.op('Div', [ctx.addConstant('one', floatTensor([], [1])), std]);
  const normalized = ctx.op('Mul', [centred, invStd]);
  return {
    normalized,
    inputGrad(dy, scale) {
      const g = scale ? ctx.op('Mul', [dy, scale]) : dy;
      const projection = ctx.op('Mul', [normalized, mean(ctx.op('Mul', [g, normalized]))]);
      return ctx.op('Mul', [ctx.op('Sub', [ctx.op('Sub', [g, mean(g)]), projection]), invStd]);
    },
  };
}

/**
 * GroupNormalization / InstanceNormalization over X [N, C, spatial…] in G groups of C/G channels, worked in the
 * layout [N, G, C/G, S] (S = spatial size) with statistics over axes 2 and 3. Scale and bias hold one value per
 * channel (reshaped to [G, C/G, 1]) or per group ([G, 1, 1]); their gradients sum dY·x̂ and dY over batch and
 * space (and over the group's channels for per-group ones).
 */
export function groupedNormalizationGradient(ctx: GradientContext, groups: number, epsilon: number): void {
  const dy = ctx.outputGrad(0);
  if (!dy) return;
  const x = ctx.shape(ctx.input(0));
  const [n, c] = x;
  const spatial = x.slice(2).reduce((a, b) => a * b, 1);
  const layout = [n, groups, c / groups, spatial];
  const perChannel = ctx.shape(ctx.input(1))[0] === c;
  const inLayout = (t: string, shape: readonly number[]): string => reshape(ctx, t, shape);
  const back = normalizationBackward(ctx, { x: inLayout(ctx.input(0), layout), shape: layout, axes: [2, 3], epsilon });
  const dyl = inLayout(dy, layout);
  const affineShape = perChannel ? [groups, c / groups, 1] : [groups, 1, 1];
  if (ctx.needsGrad(0)) ctx.setInputGrad(0, inLayout(back.inputGrad(dyl, inLayout(ctx.input(1), affineShape)), x));
  const sumAffine = (t: string, i: number): string => {
    const axes = perChannel ? [0, 3] : [0, 2, 3];
    const summed = ctx.op('ReduceSum', [t, ctx.addConstant('affine_axes', int64Tensor([axes.length], axes))], { keepdims: intAttr(0) });
    return perChannel ? reshape(ctx, summed, ctx.shape(ctx.input(i))) : summed;
  };
  if (ctx.needsGrad(1)) ctx.setInputGrad(1, sumAffine(ctx.op('Mul', [dyl, back.normalized]), 1));
  if (ctx.needsGrad(2)) ctx.setInputGrad(2, sumAffine(dyl, 2));
}

function reshape(ctx: GradientContext, t: string, shape: readonly number[]): string {
  return ctx.op('Reshape', [t, ctx.addConstant('shape', int64Tensor([shape.length], shape))]);
}
