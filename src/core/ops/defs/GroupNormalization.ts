import { attrFloat, attrInt, intAttr } from '../../onnx/ir';
import { isPruned } from '../../prune/channel-map';
import { requireChannelAxis1 } from '../../prune/channel-rules';
import { PruneContext } from '../../prune/rule';
import { takeAlongAxis } from '../../prune/tensor-ops';
import { defineOp } from '../op';
import { groupedNormalizationGradient } from '../normalization-gradient';
import { groupNormalization } from '../reference/norms';
import { need } from '../shape-rules';

/**
 * Opsets 18 and 21: X [N, C, spatial…] in `num_groups` groups of C/G consecutive channels, each normalised over
 * its channels and positions. Opset 18 gives scale and bias one value per group (length G), opset 21 one per
 * channel (length C). The lengths tell the two apart, so the rules read them: a valid model's lengths always
 * agree with its opset (onnxruntime refuses the others), and where G = C both readings are the same.
 */
export const GroupNormalization = defineOp({
  opType: 'GroupNormalization',
  scope: 'model',
  signature: {
    inputs: [3, 3],
    attributes: { epsilon: 'float', num_groups: 'int', stash_type: 'int' },
  },
  shape: (n, s) => {
    const x = need(s[0], n, 0);
    const groups = attrInt(n, 'num_groups');
    if (x.length < 2) throw new Error(`node '${n.name}' (GroupNormalization): input [${x.join(', ')}] should be [N, C, …]`);
    if (groups === undefined || !Number.isInteger(groups) || groups < 1 || x[1] % groups !== 0) {
      throw new Error(`node '${n.name}' (GroupNormalization): num_groups ${groups ?? '(missing)'} should be a positive divisor of the ${x[1]} channels`);
    }
    for (const i of [1, 2]) {
      const p = need(s[i], n, i);
      if (p.length !== 1 || (p[0] !== groups && p[0] !== x[1])) {
        throw new Error(`node '${n.name}' (GroupNormalization): ${i === 1 ? 'scale' : 'bias'} [${p.join(', ')}] should hold one value per group [${groups}] (opset 18) or per channel [${x[1]}] (opset 21)`);
      }
    }
    if (need(s[1], n, 1)[0] !== need(s[2], n, 2)[0]) throw new Error(`node '${n.name}' (GroupNormalization): scale and bias should have the same length`);
    return [[...x]];
  },
  gradient: {
    build(ctx) {
      groupedNormalizationGradient(ctx, attrInt(ctx.node, 'num_groups', 1), attrFloat(ctx.node, 'epsilon', 1e-5));
    },
  },
  /**
   * Removing whole groups is exact: every kept group's statistics read only its own channels, so num_groups drops
   * to the kept groups and scale / bias are sliced (by group or by channel). A group that loses some but not all
   * of its channels normalises the rest differently, so the pruned model could not equal the gated one: refused.
   */
  prune: {
    pruneIn(ctx: PruneContext) {
      const map = ctx.inputMap(0);
      requireChannelAxis1(ctx);
      if (isPruned(map)) {
        const groups = attrInt(ctx.node, 'num_groups', 1);
        const size = map.size / groups;
        const keptGroups: number[] = [];
        for (let g = 0; g < groups; g++) {
          const kept = map.kept.filter((k) => k >= g * size && k < (g + 1) * size).length;
          if (kept === size) keptGroups.push(g);
          else if (kept > 0) {
            ctx.fail(
              `group ${g} of its num_groups=${groups} (channels ${g * size}–${(g + 1) * size - 1}) would keep ${kept} of its ${size} channels; ` +
                'the group statistics would change, so remove or keep whole groups (all units feeding one group together)',
            );
          }
        }
        ctx.setAttribute('num_groups', intAttr(keptGroups.length));
        for (const i of [1, 2]) {
          const t = ctx.requireConstant(i, i === 1 ? 'its scale' : 'its bias');
          ctx.setConstant(i, takeAlongAxis(t, 0, t.dims[0] === map.size ? map.kept : keptGroups));
        }
      }
      if (isPruned(ctx.inputMap(1)) || isPruned(ctx.inputMap(2))) ctx.fail('its scale and bias must not carry pruned channels');
      return [map];
    },
  },
  reference: groupNormalization,
});
