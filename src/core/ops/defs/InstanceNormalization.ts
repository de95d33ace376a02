import { attrFloat } from '../../onnx/ir';
import { isPruned } from '../../prune/channel-map';
import { requireChannelAxis1 } from '../../prune/channel-rules';
import { PruneContext } from '../../prune/rule';
import { takeAlongAxis } from '../../prune/tensor-ops';
import { defineOp } from '../op';
import { groupedNormalizationGradient } from '../normalization-gradient';
import { instanceNormalization } from '../reference/norms';
import { need } from '../shape-rules';

/** X [N, C, spatial…]: each (n, c) plane normalised over its spatial positions, then scaled and shifted per channel. */
export const InstanceNormalization = defineOp({
  opType: 'InstanceNormalization',
  scope: 'model',
  signature: { inputs: [3, 3], attributes: { epsilon: 'float' } },
  shape: (n, s) => {
    const x = need(s[0], n, 0);
    if (x.length < 3) throw new Error(`node '${n.name}' (InstanceNormalization): input [${x.join(', ')}] should be [N, C, spatial…] with at least one spatial axis`);
    for (const i of [1, 2]) {
      const p = need(s[i], n, i);
      if (p.length !== 1 || p[0] !== x[1]) throw new Error(`node '${n.name}' (InstanceNormalization): ${i === 1 ? 'scale' : 'B'} [${p.join(', ')}] should be [${x[1]}], one per channel`);
    }
    return [[...x]];
  },
  /** GroupNormalization's gradient with one group per channel. */
  gradient: {
    build(ctx) {
      groupedNormalizationGradient(ctx, ctx.shape(ctx.input(0))[1], attrFloat(ctx.node, 'epsilon', 1e-5));
    },
  },
  /** Every channel is normalised alone: channels pass through and scale / B are sliced to the kept ones. */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      requireChannelAxis1(ctx);
      if (isPruned(map)) {
        ctx.setConstant(1, takeAlongAxis(ctx.requireConstant(1, 'its scale'), 0, map.kept));
        ctx.setConstant(2, takeAlongAxis(ctx.requireConstant(2, 'its B'), 0, map.kept));
      }
      if (isPruned(ctx.inputMap(1)) || isPruned(ctx.inputMap(2))) ctx.fail('its scale and B must not carry pruned channels');
      return [map];
    },
  },
  reference: instanceNormalization,
});
