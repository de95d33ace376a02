/**
 * What Softmax and LogSoftmax share. From opset 13 they normalise along one axis (default −1). Before 13 they
 * coerce the input to 2-D at `axis` (default 1) and normalise over the flattened axes axis … rank − 1; both
 * readings agree when that is only the last axis, and the gradient and channel rules below handle either by
 * reducing over the same set of axes. (The float64 reference kernel implements opset-13 semantics.)
 */
import { Node, attrInt } from '../onnx/ir';
import { describeMap, isPruned } from '../prune/channel-map';
import { OpSignature, PruneFacet, ShapeRule } from './op';
import { need, normAxis } from './shape-rules';

export const SOFTMAX_SIGNATURE: OpSignature = { inputs: [1, 1], attributes: { axis: 'int' } };

/** The output has the input's shape; the axis must lie in [−rank, rank − 1] (at every opset). */
export const softmaxShape: ShapeRule = (n, s) => {
  const x = need(s[0], n, 0);
  normAxis(attrInt(n, 'axis', -1), x.length, n);
  return [[...x]];
};

/** The axes the op normalises over, ascending. */
export function normalisedAxes(node: Node, rank: number, opset: number): number[] {
  const raw = attrInt(node, 'axis', opset >= 13 ? -1 : 1);
  if (!Number.isInteger(raw) || raw < -rank || raw > rank - 1) throw new Error(`node '${node.name}' (${node.opType}): axis ${raw} is out of range for a ${rank}-dimensional input`);
  const axis = raw < 0 ? raw + rank : raw;
  return opset >= 13 ? [axis] : Array.from({ length: rank - axis }, (_, i) => axis + i);
}

/**
 * A partly pruned input is refused on any axis. Over the channel axis 1 (or, before opset 13, over flattened
 * axes that include it) it mixes channels: removing some would change every remaining output. Over other axes
 * a removed channel, which is 0 in the gated model, comes out as 1/n (log 1/n for LogSoftmax), not 0, and the
 * layers after it read that: the pruned model would differ from the gated one.
 */
export const softmaxPrune: PruneFacet = {
  pruneIn(ctx) {
    const map = ctx.inputMap(0);
    const axes = normalisedAxes(ctx.node, ctx.inputShape(0).length, ctx.opset);
    if (!isPruned(map)) return [map];
    const input = `'${ctx.node.inputs[0]}', which ${describeMap(map)}`;
    if (axes.includes(1)) {
      ctx.fail(`it normalizes over the channel axis 1 of ${input} (axes [${axes.join(', ')}]); removing channels would change every remaining output, so keep every unit of the group that feeds it`);
    }
    return ctx.fail(
      `it normalizes over axes [${axes.join(', ')}] of ${input}; a removed channel is 0 in the gated model but comes out of ${ctx.node.opType} non-zero, ` +
        'so the pruned model would differ from it; keep every unit of the group that feeds it',
    );
  },
};
