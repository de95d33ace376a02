import { int64Tensor, intAttr } from '../../onnx/ir';
import { isPruned } from '../../prune/channel-map';
import { identityFor } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { tile } from '../reference/shape-arith';
import { tiledShape } from '../shape-arith';
import { int64Values, knownInput, need } from '../shape-rules';

/** Tile(x, repeats): each axis repeated. The size is read from the file. */
export const Tile = defineOp({
  opType: 'Tile',
  scope: 'model',
  signature: { inputs: [2, 2] },
  shape: (n, s, constants) => {
    const x = need(s[0], n, 0);
    return [tiledShape(n, x, int64Values(knownInput(n, (name) => constants.get(name), 1, 'repeats')))];
  },
  /** dY viewed as [r0, d0, r1, d1, …] and summed over the repeat axes gives dX [d0, d1, …]. */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const x = ctx.shape(ctx.input(0));
      const y = ctx.shape(ctx.output(0));
      const repeats = x.map((d, i) => (d === 0 ? 1 : y[i] / d));
      if (repeats.every((r) => r === 1)) {
        ctx.setInputGrad(0, dy);
        return;
      }
      const split = ctx.op('Reshape', [dy, ctx.addConstant('tiles', int64Tensor([2 * x.length], x.flatMap((d, i) => [repeats[i], d])))]);
      const axes = x.map((_, i) => 2 * i);
      const summed = ctx.op('ReduceSum', [split, ctx.addConstant('repeat_axes', int64Tensor([axes.length], axes))], { keepdims: intAttr(0) });
      ctx.setInputGrad(0, summed);
    },
  },
  /** Repeating along the channel axis would repeat the pruned channels; other axes keep them where they are. */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      const y = ctx.outputShape(0);
      if (!isPruned(map)) return [identityFor(y)];
      if (y[map.axis] !== x[map.axis]) ctx.fail(`it repeats the partly pruned channel axis of '${ctx.node.inputs[0]}' (${x[map.axis]} → ${y[map.axis]})`);
      return [map];
    },
  },
  reference: tile,
});
