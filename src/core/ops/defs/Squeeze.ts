import { Node, Tensor } from '../../onnx/ir';
import { isPruned } from '../../prune/channel-map';
import { PruneContext } from '../../prune/rule';
import { identityFor, shifted } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { reshapeBack } from '../layout-gradients';
import { squeeze } from '../reference/shape-arith';
import { squeezedShape } from '../shape-arith';
import { int64Values, knownInput, need, normAxis } from '../shape-rules';

/** The axes of a Squeeze/Unsqueeze: the `axes` input from opset 13, the attribute before; undefined when neither is given. */
export function listedAxes(n: Node, constant: (name: string) => Tensor | undefined): readonly number[] | undefined {
  if (n.inputs[1]) {
    return int64Values(knownInput(n, constant, 1, 'axes'));
  }
  const a = n.attributes.axes;
  return a?.type === 'ints' ? a.value : undefined;
}

/** The axes for a channel rule: a computed axes input (folded only at analysis) cannot be read, so it is refused. */
export function prunedAxes(ctx: PruneContext): readonly number[] | undefined {
  if (ctx.node.inputs[1] && !ctx.constant(1)) ctx.fail(`its axes ('${ctx.node.inputs[1]}') are computed in the graph; pruned channels can pass only axes given as constants`);
  return listedAxes(ctx.node, () => ctx.constant(1));
}

/** Squeeze: removes the listed size-1 axes (every size-1 axis when none is listed). */
export const Squeeze = defineOp({
  opType: 'Squeeze',
  scope: 'model',
  signature: { inputs: [1, 2], attributes: { axes: 'ints' } },
  shape: (n, s, constants) => [squeezedShape(n, need(s[0], n, 0), listedAxes(n, (name) => constants.get(name)))],
  /** dX is dY with the squeezed axes back. */
  gradient: reshapeBack,
  /** The channel axis moves back by the number of axes squeezed in front of it, but never onto axis 0 (the batch). */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      const y = ctx.outputShape(0);
      if (!isPruned(map)) return [identityFor(y)];
      const axes = prunedAxes(ctx) ?? x.flatMap((d, i) => (d === 1 ? [i] : []));
      if (axes.some((a) => normAxis(a, x.length, ctx.node) === 0)) ctx.fail(`it removes axis 0, so the partly pruned channel axis of '${ctx.node.inputs[0]}' would move`);
      return [shifted(map, -axes.filter((a) => normAxis(a, x.length, ctx.node) < map.axis).length)];
    },
  },
  reference: squeeze,
});
