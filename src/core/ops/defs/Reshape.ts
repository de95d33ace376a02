import { int64Tensor } from '../../onnx/ir';
import { reshapeTo } from '../../autodiff/helpers';
import { ChannelMap, describeMap, flattenMap, isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { identityFor } from '../../prune/rules/helpers';
import { defineOp } from '../op';
import { reshape } from '../reference/shape-arith';
import { reshapeTarget } from '../shape-arith';
import { int64Values, need } from '../shape-rules';

/**
 * How many entries of the new axis 1 each channel of x becomes, when x → y keeps axis 0 and y's axis 1 is a whole
 * number S of entries per channel (y[1] = x[1]·S); undefined otherwise. Per sample, channel c is the contiguous
 * block c·|x|/(N·C) … of the data, which is then exactly entries c·S … c·S + S − 1 of y's axis 1.
 */
function mergedAfterChannels(x: readonly number[], y: readonly number[]): number | undefined {
  if (x.length < 2 || y.length < 2 || y[0] !== x[0] || x[1] === 0 || y[1] % x[1] !== 0) return undefined;
  return y[1] / x[1];
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
    const target = constants.get(n.inputs[1]);
    if (!target) throw new Error(`node '${n.name}' (Reshape): the target shape '${n.inputs[1]}' must be known when the engine builds its graphs (a constant, or computed from shapes)`);
    if (target.dims.length !== 1) throw new Error(`node '${n.name}' (Reshape): the target shape should be 1-D, found [${target.dims.join(', ')}]`);
    return [reshapeTarget(n, x, int64Values(target))];
  },
  /** dX is dY reshaped back to X's shape; the target-shape input gets no gradient. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (dy && ctx.needsGrad(0)) ctx.setInputGrad(0, reshapeTo(ctx, dy, ctx.shape(ctx.input(0))));
    },
  },
  /**
   * A reshape can carry pruned channels when it keeps axis 0 and gives each channel a whole number S of entries of
   * the new axis 1: [N, C, H, W] → [N, C, H·W] (S = 1, the channels stay), → [N, C·H, W] (flatten(1, 2)),
   * → [N, C·H·W] (flatten(1), view(N, -1)). Channel c then owns entries c·S … c·S + S − 1 of the new axis 1. An
   * explicit channel or feature count in the target shape is rewritten to the pruned count; anything else (axis 1
   * split across rows, the batch mixed in) is an error. A target computed from the
   * batch size (view(x.size(0), -1), flatten(2)) is kept when it follows the pruned input by itself, and replaced
   * by its batch-free form (prune/batch-free-targets.ts) when its channel entry must change.
   */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      const y = ctx.outputShape(0);
      if (!isPruned(map)) return [identityFor(y)];
      if (isPruned(ctx.inputMap(1))) ctx.fail('its shape input cannot carry channels');
      const merged = mergedAfterChannels(x, y);
      if (merged === undefined) {
        ctx.fail(
          `it reshapes '${ctx.node.inputs[0]}' [${x.join(', ')}] to [${y.join(', ')}], which mixes the channel axis (it ${describeMap(map)}) with other axes; ` +
            'only a reshape that keeps axis 0 and gives every channel whole entries of the new axis 1 (flatten(1), flatten(1, k), view(N, C, -1)) can follow pruned channels',
        );
      }
      const out: ChannelMap = flattenMap(map, merged);
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
      // A computed channel entry that is a copy (0) or inferred (-1) follows the pruned input at run time: the
      // shape subgraph stays. A literal count is rewritten, and a computed target then becomes the batch-free one.
      if (values[1] > 0) {
        values[1] = out.kept.length;
        ctx.setConstant(1, int64Tensor(target.dims, values));
      }
      return [out];
    },
  },
  reference: reshape,
});
