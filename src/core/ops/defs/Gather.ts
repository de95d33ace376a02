import { attrInt, int64Tensor, intAttr, stringAttr } from '../../onnx/ir';
import { reshapeTo } from '../../autodiff/helpers';
import { isPruned } from '../../prune/channel-map';
import { identityFor, shifted } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { gather } from '../reference/shape-arith';
import { gatherShape } from '../shape-arith';
import { int64Values, need, normAxis } from '../shape-rules';

/**
 * Gather(data, indices) along `axis` (negative indices count from the end): picks a size from a Shape here, an
 * embedding row in a transformer.
 */
export const Gather = defineOp({
  opType: 'Gather',
  scope: 'model',
  signature: { inputs: [2, 2], attributes: { axis: 'int' } },
  shape: (n, s) => [gatherShape(n, need(s[0], n, 0), need(s[1], n, 1)).dims],
  /**
   * dData scatters dY back with ScatterElements(reduction = add) into zeros: rows picked twice get both
   * contributions. onnxruntime runs ScatterElements on every provider (it has no inference kernel for its training
   * op GatherGrad), and unlike a one-hot MatMul it costs nothing for a large vocabulary. dY is viewed as
   * data[:axis] ++ [k] ++ data[axis+1:] (k = number of indices) and the indices, laid along that axis, are
   * expanded to the same shape. Indices are integers: they get no gradient.
   */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const x = ctx.shape(ctx.input(0));
      const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.length, ctx.node);
      const count = ctx.shape(ctx.input(1)).reduce((a, b) => a * b, 1);
      const rows = [...x.slice(0, axis), count, ...x.slice(axis + 1)];
      const along = rows.map((_, i) => (i === axis ? count : 1));
      const known = ctx.constant(ctx.input(1));
      const indices = known
        ? ctx.addConstant('indices', int64Tensor(along, int64Values(known).map((v) => (v < 0 ? v + x[axis] : v))))
        : reshapeTo(ctx, ctx.input(1), along);
      const spread = ctx.op('Expand', [indices, ctx.addConstant('rows', int64Tensor([rows.length], rows))]);
      const zeros = ctx.op('ConstantOfShape', [ctx.addConstant('data_shape', int64Tensor([x.length], x))]);
      const grad = ctx.op('ScatterElements', [zeros, spread, reshapeTo(ctx, dy, rows)], { axis: intAttr(axis), reduction: stringAttr('add') });
      ctx.setInputGrad(0, grad);
    },
  },
  /**
   * Gathering along axis 1 picks channels by index, which pruning would renumber: refused. Along axis 0 with a 1-D
   * index the channels stay on axis 1; along a later axis they are untouched.
   */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      const y = ctx.outputShape(0);
      if (!isPruned(map)) return [identityFor(y)];
      const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.length, ctx.node);
      const indexRank = ctx.inputShape(1).length;
      if (axis === map.axis) ctx.fail(`it picks entries of the partly pruned channel axis ${map.axis} of '${ctx.node.inputs[0]}' by index, and pruning renumbers those channels`);
      // Axis `axis` becomes the indices' axes: channels behind it move by indexRank − 1 (ViT's class token x[:, 0]).
      const moved = axis < map.axis ? shifted(map, indexRank - 1) : map;
      if (moved.axis === 0) ctx.fail(`it gathers along axis ${axis} with ${indexRank}-D indices, which moves the partly pruned channel axis of '${ctx.node.inputs[0]}' to axis 0`);
      return [moved];
    },
  },
  reference: gather,
});
