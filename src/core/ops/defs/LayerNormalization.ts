import { Node, attrFloat, attrInt } from '../../onnx/ir';
import { GradientError } from '../../autodiff/rule';
import { unbroadcast } from '../../autodiff/helpers';
import { isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { defineOp } from '../op';
import { normalizationBackward } from '../normalization-gradient';
import { layerNormalization } from '../reference/norms';
import { need, normAxis } from '../shape-rules';

/** The first normalised axis, in [0, rank). */
function firstAxis(node: Node, rank: number): number {
  return normAxis(attrInt(node, 'axis', -1), rank, node);
}

/**
 * Opset 17: Y = (X − μ)/√(σ² + ε)·Scale + B, statistics over axes [axis, rank) of each leading index; Scale and B
 * broadcast to X's shape from `axis` on. The optional Mean and InvStdDev outputs (statistics with the
 * normalised axes kept as 1) are computed and may feed other ops, but gradients cannot flow back through them.
 * (Exporters below opset 17 write the same computation as ReduceMean, Sub, Pow, Sqrt, Div, Mul and Add.)
 */
export const LayerNormalization = defineOp({
  opType: 'LayerNormalization',
  scope: 'model',
  signature: {
    inputs: [2, 3],
    outputs: 3,
    attributes: { axis: 'int', epsilon: 'float', stash_type: 'int' },
  },
  shape: (n, s) => {
    const x = need(s[0], n, 0);
    if (x.length === 0) throw new Error(`node '${n.name}' (LayerNormalization): a scalar input cannot be normalised`);
    const axis = firstAxis(n, x.length);
    const normalized = x.slice(axis);
    for (const i of [1, 2]) {
      const p = i === 2 && !n.inputs[2] ? undefined : need(s[i], n, i);
      if (p && (p.length > normalized.length || p.some((d, k) => d !== 1 && d !== normalized[normalized.length - p.length + k]))) {
        throw new Error(`node '${n.name}' (LayerNormalization): ${i === 1 ? 'Scale' : 'B'} [${p.join(', ')}] does not broadcast to the normalised shape [${normalized.join(', ')}] (axis ${axis})`);
      }
    }
    const stats = [...x.slice(0, axis), ...normalized.map(() => 1)];
    return [[...x], stats, [...stats]];
  },
  /**
   * dX by the shared normalisation backward (statistics recomputed over [axis, rank)); dScale = Σ dY·x̂ and
   * dB = Σ dY over the leading axes (and over any axis where Scale / B broadcast).
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      for (const k of [1, 2]) {
        if (ctx.outputGrad(k)) throw new GradientError(ctx.node, `gradients through its ${k === 1 ? 'Mean' : 'InvStdDev'} output are not supported`);
      }
      if (!dy) return;
      const x = ctx.shape(ctx.input(0));
      const axis = firstAxis(ctx.node, x.length);
      const axes = x.map((_, i) => i).filter((i) => i >= axis);
      const back = normalizationBackward(ctx, { x: ctx.input(0), shape: x, axes, epsilon: attrFloat(ctx.node, 'epsilon', 1e-5) });
      if (ctx.needsGrad(0)) ctx.setInputGrad(0, back.inputGrad(dy, ctx.input(1)));
      if (ctx.needsGrad(1)) ctx.setInputGrad(1, unbroadcast(ctx, ctx.op('Mul', [dy, back.normalized]), x, ctx.shape(ctx.input(1))));
      if (ctx.input(2) && ctx.needsGrad(2)) ctx.setInputGrad(2, unbroadcast(ctx, dy, x, ctx.shape(ctx.input(2))));
    },
  },
  /**
   * Normalising over axes behind the channel axis treats each channel's slice alone: channels pass through (to
   * Mean and InvStdDev too) and Scale / B, which span only those axes, need no slicing. Over the channel axis the
   * channels share their statistics (ConvNeXt's and ViT's LayerNorm over the last axis): removing some would
   * change the kept ones, so the pruned model could not equal the gated one.
   */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      const rank = ctx.inputShape(0).length;
      const axis = firstAxis(ctx.node, rank);
      if (isPruned(map) && axis <= map.axis) {
        ctx.fail(
          `it normalises over axes ${axis} to ${rank - 1} (axis=${attrInt(ctx.node, 'axis', -1)}), which include the channel axis ${map.axis}, so every channel's output ` +
            `depends on the statistics of all of them and removing channels from '${ctx.node.inputs[0]}' would change the kept ones; ` +
            'keep every unit that feeds it',
        );
      }
      if (isPruned(ctx.inputMap(1)) || isPruned(ctx.inputMap(2))) ctx.fail('its Scale and B must not carry pruned channels');
      return ctx.node.outputs.map(() => map);
    },
  },
  reference: layerNormalization,
});
