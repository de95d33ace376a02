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
    return [[...x]];
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
      if (attrInt(ctx.node, 'training_mode', 0) === 1) throw new GradientError(ctx.node, 'training_mode 1 is not supported; export the model in eval mode');
      for (const i of [3, 4]) {
        if (ctx.needsGrad(i)) throw new GradientError(ctx.node, `gradients of the running statistics (input ${i}, '${ctx.input(i)}') are not supported`);
      }
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

function constantValues(ctx: GradientContext, i: number): number[] {
  const t = ctx.constant(ctx.input(i));
  if (!t) throw new GradientError(ctx.node, `input ${i} ('${ctx.input(i)}') must be a constant (inference-form BatchNormalization)`);
  return floatValues(t);
}

function floatValues(t: Tensor): number[] {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new Error(`expected a float tensor, found ${t.dtype}`);
  return Array.from(t.data as Float32Array | Float64Array);
}
