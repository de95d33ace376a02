import { attrFloat, attrInt, makeTensor, Tensor } from '../../onnx/ir';
import { GradientContext, GradientError } from '../../autodiff/rule';
import { reshapeTo, sumAllBut } from '../../autodiff/helpers';
import { isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { takeAlongAxis } from '../../prune/tensor-ops';
import { defineOp } from '../op';
import { batchNormalization } from '../reference/normalization';
import { need } from '../shape-rules';

const PARAMS = ['scale', 'B', 'input_mean', 'input_var'];

/**
 * Inference-form BatchNormalization, Y = scale·(X − mean)/√(var + ε) + B, with per-channel (axis 1) inputs 1–4.
 * The weight-training graphs rewrite it to its batch-statistics form (src/core/graphs/batchnorm-training.ts).
 */
export const BatchNormalization = defineOp({
  opType: 'BatchNormalization',
  scope: 'model',
  signature: {
    inputs: [5, 5],
    attributes: { epsilon: 'float', momentum: 'float', training_mode: 'int' },
    flags: ['training_mode'],
  },
  shape: (n, s) => {
    const x = need(s[0], n, 0);
    if (x.length < 2) throw new Error(`node '${n.name}' (BatchNormalization): input [${x.join(', ')}] should be [N, C, …]`);
    for (let i = 1; i <= 4; i++) {
      const p = need(s[i], n, i);
      if (p.length !== 1 || p[0] !== x[1]) throw new Error(`node '${n.name}' (BatchNormalization): ${PARAMS[i - 1]} [${p.join(', ')}] should be [${x[1]}], one per channel`);
    }
    // Training mode's running-statistics outputs: one value per channel.
    return [[...x], ...n.outputs.slice(1).map(() => [x[1]])];
  },
  /**
   * With constant mean and var, invStd = 1/√(var + ε) is a constant (computed in float64) and dX = dY·scale·invStd
   * per channel (one constant when scale is constant too); dScale = Σ dY·(X − mean)·invStd and dB = Σ dY over all
   * axes but channels.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      for (const i of [3, 4]) {
        if (ctx.needsGrad(i)) throw new GradientError(ctx.node, `gradients of the running statistics (input ${i}, '${ctx.input(i)}') are not supported`);
      }
      if (attrInt(ctx.node, 'training_mode', 0) === 1) return batchStatisticsGradient(ctx, dy);
      const xShape = ctx.shape(ctx.input(0));
      // Per-channel constants shaped [C, 1, …] broadcast against [N, C, …].
      const channelShape = [xShape[1], ...xShape.slice(2).map(() => 1)];
      const mean = constantValues(ctx, 3);
      const variance = constantValues(ctx, 4);
      const epsilon = attrFloat(ctx.node, 'epsilon', 1e-5);
      const invStd = variance.map((v) => 1 / Math.sqrt(v + epsilon));
      const channelConstant = (hint: string, values: readonly number[]): string =>
        ctx.addConstant(hint, makeTensor('float32', channelShape, Float32Array.from(values)));

      if (ctx.needsGrad(0)) {
        const scale = ctx.constant(ctx.input(1));
        const factor = scale
          ? channelConstant('scale_inv_std', floatValues(scale).map((s, c) => s * invStd[c]))
          : ctx.op('Mul', [reshapeTo(ctx, ctx.input(1), channelShape), channelConstant('inv_std', invStd)]);
        ctx.setInputGrad(0, ctx.op('Mul', [dy, factor]));
      }
      if (ctx.needsGrad(1)) {
        const centered = ctx.op('Sub', [ctx.input(0), channelConstant('mean', mean)]);
        const normalized = ctx.op('Mul', [centered, channelConstant('inv_std', invStd)]);
        ctx.setInputGrad(1, sumAllBut(ctx, ctx.op('Mul', [dy, normalized]), xShape, 1));
      }
      if (ctx.needsGrad(2)) ctx.setInputGrad(2, sumAllBut(ctx, dy, xShape, 1));
    },
  },
  /** Per-channel affine: scale, B, mean and var are sliced to the input's channels. */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      // Its parameters follow axis 1; channels pruned on another axis (channels-last) pass through them.
      if (isPruned(map) && map.axis === 1) {
        for (let i = 1; i <= 4; i++) {
          const t = ctx.requireConstant(i, `its ${PARAMS[i - 1]}`);
          ctx.setConstant(i, takeAlongAxis(t, 0, map.kept));
        }
        for (let k = 1; k < ctx.node.outputs.length; k++) {
          if (ctx.outputUsed(k)) ctx.fail('its training-mode running statistics outputs are not supported with pruned channels');
        }
      }
      return ctx.node.outputs.map((_, k) => (k === 0 ? map : undefined));
    },
  },
  reference: batchNormalization,
});

/**
 * Training mode as graphs/batchnorm-training.ts emits it: running statistics 0 and momentum 0, so outputs 1 and 2
 * are the batch's mean μ and biased variance σ² (checked: other values would make them not the statistics the
 * forward normalised with). With s = 1/√(σ² + ε), x_c = X − μ and M values per channel, the textbook gradient
 * γ·s·(dY − mean(dY) − x̂·mean(dY·x̂)) is, per channel, A·dY + B·x_c + C with
 *   A = γ·s,  B = −γ·s³·Σ(dY·x_c)/M,  C = −γ·s·ΣdY/M;
 * dγ = s·Σ(dY·x_c), dβ = ΣdY. Six full-size passes and two reductions, where the decomposed form took about twelve.
 */
function batchStatisticsGradient(ctx: GradientContext, dy: string): void {
  for (const i of [3, 4]) {
    const t = ctx.constant(ctx.input(i));
    if (!t || floatValues(t).some((v) => v !== 0)) throw new GradientError(ctx.node, `training_mode 1 is differentiated with running statistics of 0 (input ${i}, '${ctx.input(i)}'); export the model in eval mode`);
  }
  if (attrFloat(ctx.node, 'momentum', 0.9) !== 0) throw new GradientError(ctx.node, 'training_mode 1 is differentiated with momentum 0 only; export the model in eval mode');
  const xShape = ctx.shape(ctx.input(0));
  const channels = xShape[1];
  const perChannel = [channels, ...xShape.slice(2).map(() => 1)];
  const count = xShape.reduce((a, b) => a * b, 1) / channels;
  const scalar = (hint: string, v: number): string => ctx.addConstant(hint, makeTensor('float32', [], Float32Array.of(v)));
  const invStd = ctx.op('Div', [scalar('one', 1), ctx.op('Sqrt', [ctx.op('Add', [ctx.output(2), scalar('epsilon', attrFloat(ctx.node, 'epsilon', 1e-5))])])]);
  const centred = ctx.op('Sub', [ctx.input(0), reshapeTo(ctx, ctx.output(1), perChannel)]);
  const sumDy = sumAllBut(ctx, dy, xShape, 1);
  const sumDyCentred = sumAllBut(ctx, ctx.op('Mul', [dy, centred]), xShape, 1);
  if (ctx.needsGrad(0)) {
    const a = ctx.op('Mul', [ctx.input(1), invStd]);
    const minusOverCount = scalar('minus_inv_count', -1 / count);
    const b = ctx.op('Mul', [ctx.op('Mul', [a, ctx.op('Mul', [invStd, invStd])]), ctx.op('Mul', [sumDyCentred, minusOverCount])]);
    const c = ctx.op('Mul', [a, ctx.op('Mul', [sumDy, minusOverCount])]);
    const [ax, bx, cx] = [a, b, c].map((v) => reshapeTo(ctx, v, perChannel));
    ctx.setInputGrad(0, ctx.op('Add', [ctx.op('Add', [ctx.op('Mul', [dy, ax]), ctx.op('Mul', [centred, bx])]), cx]));
  }
  if (ctx.needsGrad(1)) ctx.setInputGrad(1, ctx.op('Mul', [sumDyCentred, invStd]));
  if (ctx.needsGrad(2)) ctx.setInputGrad(2, sumDy);
}

function constantValues(ctx: GradientContext, i: number): number[] {
  const t = ctx.constant(ctx.input(i));
  if (!t) throw new GradientError(ctx.node, `input ${i} ('${ctx.input(i)}') must be a constant (inference-form BatchNormalization)`);
  return floatValues(t);
}

function floatValues(t: Tensor): number[] {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new Error(`expected a float tensor, found ${t.dtype}`);
  return Array.from(t.data as Float32Array | Float64Array);
}
