import { attrInts, intsAttr } from '../../onnx/ir';
import { isPruned, onAxis } from '../../prune/channel-map';
import { identityFor } from '../../prune/channel-rules';
import { defineOp } from '../op';
import { transpose } from '../reference/layout';
import { need } from '../shape-rules';

export const Transpose = defineOp({
  opType: 'Transpose',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { perm: 'ints' } },
  shape: (n, s) => {
    const x = need(s[0], n, 0);
    const perm = attrInts(n, 'perm') ?? x.map((_, i) => x.length - 1 - i);
    if (perm.length !== x.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      throw new Error(`node '${n.name}' (Transpose): perm [${perm.join(', ')}] is not a permutation of the ${x.length} axes`);
    }
    return [perm.map((p) => x[p])];
  },
  /** dX = Transpose(dY) with the inverse permutation (the default perm reverses the axes). */
  gradient: {
    build(ctx) {
      const dy = ctx.outputGrad(0);
      if (!dy || !ctx.needsGrad(0)) return;
      const rank = ctx.shape(ctx.input(0)).length;
      const perm = attrInts(ctx.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      const inverse = new Array<number>(rank);
      perm.forEach((p, i) => (inverse[p] = i));
      ctx.setInputGrad(0, ctx.op('Transpose', [dy], { perm: intsAttr(inverse) }));
    },
  },
  /**
   * Moves the channels with their axis: output axis j is input axis perm[j], so channels on input axis a land on
   * the output axis j with perm[j] = a (NCHW → NHWC moves them from 1 to 3, tf2onnx's Transposes around convs).
   */
  prune: {
    pruneIn(ctx) {
      const map = ctx.inputMap(0);
      const x = ctx.inputShape(0);
      if (!isPruned(map)) return [identityFor(ctx.outputShape(0))];
      const perm = attrInts(ctx.node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      return [onAxis(map, perm.indexOf(map.axis))];
    },
  },
  reference: transpose,
});
