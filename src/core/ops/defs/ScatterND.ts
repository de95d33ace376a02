import { attrString, int64Tensor, floatTensor } from '../../onnx/ir';
import { GradientError } from '../../autodiff/rule';
import { isPruned } from '../../prune/channel-map';
import { identityFor } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { scatterND } from '../reference/scatter-gather-nd';
import { indexedSliceShape } from '../scatter-gather-nd-shape';
import { need } from '../shape-rules';

/**
 * data with the slices named by `indices` replaced by (or combined with) `updates` (Swin's shifted-window
 * attention mask, built on constants and folded at load).
 */
export const ScatterND = defineOp({
  opType: 'ScatterND',
  scope: 'model',
  signature: { inputs: [3, 3], attributes: { reduction: 'string' } },
  shape: (n, s) => {
    const [data, indices, updates] = [need(s[0], n, 0), need(s[1], n, 1), need(s[2], n, 2)];
    const expected = indexedSliceShape(n, data, indices);
    if (expected.length !== updates.length || expected.some((d, i) => d !== updates[i])) {
      throw new Error(`node '${n.name}' (ScatterND): updates have shape [${updates.join(', ')}]; indices [${indices.join(', ')}] into data [${data.join(', ')}] need [${expected.join(', ')}]`);
    }
    return [[...data]];
  },
  /**
   * reduction 'none': the written slices no longer depend on data, so dData is dY with them zeroed (a ScatterND of
   * zeros), and dUpdates is dY read there (GatherND). 'add': dData = dY, dUpdates likewise read there. The indices
   * are integers (no gradient). With 'none', a slice written twice is undefined in ONNX; each write gets dY.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const reduction = attrString(ctx.node, 'reduction', 'none');
      if (reduction !== 'none' && reduction !== 'add') throw new GradientError(ctx.node, `reduction '${reduction}' has no gradient here (only 'none' and 'add')`);
      const [indices, updates] = [ctx.input(1), ctx.input(2)];
      if (ctx.needsGrad(0)) {
        if (reduction === 'add') ctx.setInputGrad(0, dy);
        else {
          const shape = ctx.shape(updates);
          const zeros = ctx.op('Expand', [ctx.addConstant('zero', floatTensor([], [0])), ctx.addConstant('shape', int64Tensor([shape.length], shape))]);
          ctx.setInputGrad(0, ctx.op('ScatterND', [dy, indices, zeros]));
        }
      }
      if (ctx.needsGrad(2)) ctx.setInputGrad(2, ctx.op('GatherND', [dy, indices]));
    },
  },
  prune: {
    pruneIn(ctx) {
      const pruned = ctx.node.inputs.findIndex((_, i) => isPruned(ctx.inputMap(i)));
      if (pruned >= 0) {
        ctx.fail(`its input '${ctx.node.inputs[pruned]}' has lost channels (axis 1), but ScatterND's indices address positions along the leading axes, so pruned channels cannot be followed through it`);
      }
      return [identityFor(ctx.outputShape(0))];
    },
  },
  reference: scatterND,
});
