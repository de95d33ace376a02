import { attrInt, int64Tensor } from '../../onnx/ir';
import { ChannelMap, describeMap, isPruned, mergedMap } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { identityFor } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { reshapeBack } from '../layout-gradients';
import { reshape } from '../reference/shape-arith';
import { reshapeTarget } from '../shape-arith';
import { int64Values, knownInput, need } from '../shape-rules';

/**
 * Where a reshape x → y puts the channel axis a of x, when it keeps every channel apart: the axis b of y whose
 * entries each belong to one channel, with `before` entries of the axes merged in front of a and `after` of those
 * behind (channel c owns entries (p·C + c)·after + q of y's axis b; channel-map.ts mergedMap). That holds when the
 * axes of y in front of b split the axes of x in front of a (their size divides x's) and those behind b split the
 * axes behind a: [N, C, H, W] → [N, C·H·W] (after = H·W), → [N, C, H·W] (the channels stay), NHWC [N, H, W, C] →
 * [N, H·W·C] (before = H·W). Undefined when axis a is split across axes of y (channel shuffle's [N, g, C/g, H, W])
 * or merged with the batch axis 0.
 */
export function reshapedChannelAxis(x: readonly number[], y: readonly number[], a: number): { axis: number; before: number; after: number } | undefined {
  const prod = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);
  const [outerX, innerX] = [prod(x.slice(0, a)), prod(x.slice(a + 1))];
  for (let b = a === 0 ? 0 : 1; b < y.length; b++) {
    const [outerY, innerY] = [prod(y.slice(0, b)), prod(y.slice(b + 1))];
    if (outerY === 0 || innerY === 0 || outerX % outerY !== 0 || innerX % innerY !== 0) continue;
    const [before, after] = [outerX / outerY, innerX / innerY];
    // The batch (x's axis 0) must stay in front of the channels: y's axes in front of b hold all of it.
    if (a > 0 && outerY % x[0] !== 0) continue;
    if (y[b] === before * x[a] * after) return { axis: b, before, after };
  }
  return undefined;
}

/**
 * Reshape(x, shape): a target entry 0 copies x's size there (unless allowzero=1), one -1 is inferred. The target may
 * be computed (view(x.size(0), -1)): shape inference folds it at the concrete batch size (shape-folding/folder.ts).
 */
export const Reshape = defineOp({
  opType: 'Reshape',
  scope: 'model',
  signature: { inputs: [2, 2], attributes: { allowzero: 'int' }, flags: ['allowzero'] },
  shape: (n, s, constants) => {
    const x = need(s[0], n, 0);
    const target = knownInput(n, (name) => constants.get(name), 1, 'target shape');
    if (target.dims.length !== 1) throw new Error(`node '${n.name}' (Reshape): the target shape should be 1-D, found [${target.dims.join(', ')}]`);
    return [reshapeTarget(n, x, int64Values(target))];
  },
  /** dX is dY reshaped back to X's shape; the target-shape input gets no gradient. */
  gradient: reshapeBack,
  /**
   * A reshape can carry pruned channels when it keeps every channel apart (reshapedChannelAxis): the channels stay
   * on one axis of the output, each owning whole entries of it: [N, C, H, W] → [N, C·H·W] (flatten(1), view(N, -1)),
   * → [N, C·H, W], → [N, C, H·W] (ViT's patch embedding), NHWC → [N, H·W·C] (Keras' Flatten). An explicit size of
   * that axis in the target shape is rewritten to the pruned count; anything else (the channel axis split across
   * axes, the batch mixed in) is an error. (Channel shuffle, a Reshape → Transpose → Reshape that only permutes the
   * channels, is followed as a whole by prune/channel-shuffle.ts.) A target computed from the batch size
   * (view(x.size(0), -1), flatten(2)) is kept when it follows the pruned input by itself, and replaced by its
   * batch-free form (prune/batch-free-targets.ts) when its channel entry must change.
   */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      const y = ctx.outputShape(0);
      if (!isPruned(map)) return [identityFor(y)];
      if (isPruned(ctx.inputMap(1))) ctx.fail('its shape input cannot carry channels');
      const where = reshapedChannelAxis(x, y, map.axis);
      if (!where) {
        ctx.fail(
          `it reshapes '${ctx.node.inputs[0]}' [${x.join(', ')}] to [${y.join(', ')}], which mixes the channel axis ${map.axis} (it ${describeMap(map)}) with other axes; ` +
            'only a reshape that keeps every channel apart on one axis (flatten(1), flatten(1, k), view(N, C, -1), a channels-last flatten) can follow pruned channels',
        );
      }
      const out: ChannelMap = mergedMap(map, where.before, where.after, where.axis);
      const literal = ctx.constant(1);
      const target = literal ?? ctx.batchFreeConstant(1);
      if (!target) {
        ctx.fail(
          `its target shape '${ctx.node.inputs[1]}' is computed from the batch size in a way that cannot be written without it ` +
            '(two batch-dependent entries that are not the input\'s own sizes), so it cannot be adjusted to the pruned channels; ' +
            'export the model with x.view(x.size(0), -1) or x.flatten(1) there',
        );
      }
      const values = int64Values(target);
      const b = where.axis;
      let changed = false;
      // A computed channel entry that is a copy (0) or inferred (-1) follows the pruned input at run time: the
      // shape subgraph stays. A literal count is rewritten, and a computed target then becomes the batch-free one.
      if (values[b] > 0) {
        values[b] = out.kept.length;
        changed = true;
      } else if (values[b] === 0 && (b !== map.axis || out.size !== map.size) && attrInt(ctx.node, 'allowzero', 0) === 0) {
        ctx.fail(`its target shape copies axis ${b} of its input (entry 0), which does not become the pruned size of the channels; export the model with an explicit size there`);
      }
      // A copy (0) of the input's channel axis elsewhere in the target would now copy the pruned size.
      if (map.axis !== b && map.axis < values.length && values[map.axis] === 0 && attrInt(ctx.node, 'allowzero', 0) === 0) {
        values[map.axis] = x[map.axis];
        changed = true;
      }
      if (changed) ctx.setConstant(1, int64Tensor(target.dims, values));
      return [out];
    },
  },
  reference: reshape,
});
