import { attrInt, attrInts, int64Tensor, intAttr, intsAttr, makeTensor } from '../../onnx/ir';
import { ChannelMap, isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { identityFor, normalizeAxis } from '../../prune/channel-rules';
import { intInputFromConstants, intInputFromLookup } from '../constant-inputs';
import { defineOp } from '../op';
import { split } from '../reference/layout';
import { need, normAxis } from '../shape-rules';
import { splitSizes } from '../splitting';

const what = (): string => 'split sizes';

export const Split = defineOp({
  opType: 'Split',
  scope: 'model',
  signature: { inputs: [1, 2], outputs: Infinity, attributes: { axis: 'int', split: 'ints', num_outputs: 'int' } },
  shape: (n, s, constants) => {
    const x = need(s[0], n, 0);
    const axis = normAxis(attrInt(n, 'axis', 0), x.length, n);
    return splitSizes(n, x[axis], intInputFromConstants(n, constants, what)).map((size) => x.map((d, i) => (i === axis ? size : d)));
  },
  /** dX is the output gradients laid end to end along the axis (one Concat); an output without one contributes zeros. */
  gradient: {
    build(ctx) {
      if (!ctx.needsGrad(0)) return;
      const rank = ctx.shape(ctx.input(0)).length;
      const axis = normalizeAxis(attrInt(ctx.node, 'axis', 0), rank);
      const parts = ctx.node.outputs.map((o, k) => {
        const dy = ctx.outputGrad(k);
        if (dy) return dy;
        const dims = ctx.shape(o);
        const zero = { type: 'tensor' as const, value: makeTensor('float32', [1], Float32Array.of(0)) };
        return ctx.op('ConstantOfShape', [ctx.addConstant('zeros_shape', int64Tensor([dims.length], dims))], { value: zero });
      });
      ctx.setInputGrad(0, parts.length === 1 ? parts[0] : ctx.op('Concat', parts, { axis: intAttr(axis) }));
    },
  },
  /**
   * Along the channel axis (axis 1, or wherever the input's pruned channels are), output k holds the channels
   * [o_k, o_k + size_k) of the input, so it carries that sub-range of the input's map and its size becomes the
   * number of those channels that remain. Along another axis every output carries the input's map.
   */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      const outputs = ctx.node.outputs;
      if (!isPruned(map)) return outputs.map((_, k) => identityFor(ctx.outputShape(k)));
      if (normalizeAxis(attrInt(ctx.node, 'axis', 0), x.length) !== map.axis) return outputs.map(() => map);
      const sizes = splitSizes(ctx.node, x[map.axis], intInputFromLookup(ctx.node, (i) => ctx.constant(i) ?? ctx.batchFreeConstant(i), what));
      let offset = 0;
      const maps: ChannelMap[] = sizes.map((size, k) => {
        const from = offset;
        offset += size;
        const kept = map.kept.filter((c) => c >= from && c < from + size).map((c) => c - from);
        if (kept.length === 0 && size > 0) {
          ctx.fail(`its output ${k} ('${outputs[k]}') holds channels ${from} to ${from + size - 1} of '${ctx.node.inputs[0]}', and none of them is kept; keep at least one unit there`);
        }
        return { size, kept, axis: map.axis };
      });
      setSizes(ctx, maps.map((m) => m.kept.length));
      return maps;
    },
  },
  reference: split,
});

/** Writes the pruned part sizes where the node keeps them (input, attribute), or checks an equal split still fits. */
function setSizes(ctx: PruneContext, sizes: readonly number[]): void {
  const node = ctx.node;
  if (node.inputs[1]) {
    ctx.setConstant(1, int64Tensor([sizes.length], sizes));
    return;
  }
  if (attrInts(node, 'split') || ctx.opset < 13) {
    ctx.setAttribute('split', intsAttr(sizes));
    return;
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const count = attrInt(node, 'num_outputs');
  const chunk = count === undefined ? total / sizes.length : Math.ceil(total / count);
  const equal = sizes.every((s, k) => s === Math.min(chunk, total - k * chunk));
  if (!equal) {
    ctx.fail(
      `it splits the channel axis into equal parts (no 'split' sizes), but after pruning its parts keep [${sizes.join(', ')}] channels, which an equal split cannot express; ` +
        're-export the model with explicit split sizes, or prune the parts equally',
    );
  }
}
