import { attrInt, int64Tensor, intAttr } from '../../onnx/ir';
import { ChannelMap, describeMap, identityMap, isPruned, sameMap } from '../../prune/channel-map';
import { takeAlongAxis } from '../../prune/tensor-ops';
import { normalizeAxis } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { concat } from '../reference/layout';
import { need, normAxis } from '../shape-rules';

export const Concat = defineOp({
  opType: 'Concat',
  scope: 'model',
  signature: { inputs: [1, Infinity], attributes: { axis: 'int' } },
  shape: (n, s) => {
    const shapes = n.inputs.map((_, i) => need(s[i], n, i));
    const axis = normAxis(attrInt(n, 'axis', 0), shapes[0].length, n);
    if (shapes.some((sh) => sh.length !== shapes[0].length)) throw new Error(`node '${n.name}' (Concat): inputs of different ranks cannot be concatenated`);
    const out = [...shapes[0]];
    out[axis] = shapes.reduce((acc, sh) => acc + sh[axis], 0);
    return [out];
  },
  /** Each input's gradient is its slab of dY along the concat axis: one Split with the input sizes. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy) return;
      const inputs = ctx.node.inputs;
      const rank = ctx.shape(ctx.output(0)).length;
      const rawAxis = attrInt(ctx.node, 'axis', 0);
      const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
      const sizes = inputs.map((name) => ctx.shape(name)[axis]);
      const parts = ctx.emit('Split', [dy, ctx.addConstant('split', int64Tensor([sizes.length], sizes))], { axis: intAttr(axis) }, sizes.length);
      inputs.forEach((_, i) => ctx.needsGrad(i) && ctx.setInputGrad(i, parts[i]));
    },
  },
  /**
   * Along the channel axis (axis 1, or wherever the inputs' pruned channels are) the inputs' maps are laid end to
   * end (input k's channels offset by the original sizes of the inputs before it): DenseNet's growing Concats,
   * Inception's branches. Along another axis every input must carry the same channels; constants are sliced to them.
   */
  prune: {
    pruneIn(ctx) {
      const out = ctx.outputShape(0);
      const axis = normalizeAxis(attrInt(ctx.node, 'axis', 0), out.length);
      const prunedInput = ctx.node.inputs.findIndex((_, i) => isPruned(ctx.inputMap(i)));
      const channelAxis = prunedInput >= 0 ? (ctx.inputMap(prunedInput) as ChannelMap).axis : 1;
      if (axis === channelAxis) {
        const kept: number[] = [];
        let offset = 0;
        ctx.node.inputs.forEach((name, i) => {
          const size = ctx.inputShape(i)[axis];
          const map = ctx.inputMap(i);
          if (isPruned(map) && map.axis !== axis) ctx.fail(`its input '${name}' holds its partly pruned channels on axis ${map.axis}, not on the concatenated axis ${axis} like '${ctx.node.inputs[prunedInput]}'`);
          for (const k of isPruned(map) ? map.kept : identityMap(size).kept) kept.push(offset + k);
          offset += size;
        });
        return [{ size: offset, kept, axis }];
      }
      let common: { map: ChannelMap; from: string } | undefined;
      ctx.node.inputs.forEach((name, i) => {
        if (ctx.constant(i)) return;
        const own = ctx.inputMap(i);
        const map = isPruned(own) ? own : identityMap(out[channelAxis], channelAxis);
        if (!common) common = { map, from: name };
        else if (!sameMap(common.map, map)) {
          ctx.fail(`it joins '${common.from}' (${describeMap(common.map)}) and '${name}' (${describeMap(map)}) along axis ${axis}, but their channels differ`);
        }
      });
      const map = common?.map ?? identityMap(out[1]);
      ctx.node.inputs.forEach((_, i) => {
        const t = ctx.constant(i);
        if (t && isPruned(map)) ctx.setConstant(i, takeAlongAxis(t, map.axis, map.kept));
      });
      return [map];
    },
  },
  reference: concat,
});
