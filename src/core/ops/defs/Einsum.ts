import { ChannelMap, isPruned } from '../../prune/channel-map';
import { OutputMaps, PruneContext } from '../../prune/rule';
import { identityFor } from '../../prune/channel-rules';
import { buildEinsumGradient } from '../einsum-gradient';
import { parseEinsum, shown } from '../einsum-equation';
import { defineOp } from '../op';
import { einsum } from '../reference/einsum';
import { need } from '../shape-rules';

/**
 * Einsum (MaxViT's attention: 'BGHID,BGHJD->BGHIJ' and 'BGHIJ,BGHJD->BGHID'). The equation's rules are in
 * einsum-equation.ts, the gradient (another Einsum per operand) in einsum-gradient.ts.
 */
export const Einsum = defineOp({
  opType: 'Einsum',
  scope: 'model',
  signature: { inputs: [1, Infinity], attributes: { equation: 'string' } },
  shape: (n, s) => [[...parseEinsum(n, n.inputs.map((_, i) => need(s[i], n, i))).outShape]],
  gradient: { build: buildEinsumGradient },
  prune: { pruneIn: pruneEinsum },
  reference: einsum,
});

/**
 * Channels pass through when the output's axis 1 is a plain copy of axis 1 of one operand: that operand has the
 * label once, at axis 1, and no other operand has it (it would have to lose the same channels, or be summed
 * against them). A pruned input anywhere else cannot be followed: the error names the equation.
 */
function pruneEinsum(ctx: PruneContext): OutputMaps {
  const out = ctx.outputShape(0);
  const pruned = ctx.node.inputs.map((_, i) => i).filter((i) => isPruned(ctx.inputMap(i)));
  if (pruned.length === 0) return [identityFor(out)];
  const spec = parseEinsum(ctx.node, ctx.node.inputs.map((_, i) => ctx.inputShape(i)));
  const refuse = (detail: string): never =>
    ctx.fail(`equation '${spec.equation}': pruned channels (axis 1) enter through ${pruned.map((i) => `input ${i} ('${ctx.node.inputs[i]}')`).join(' and ')}, but ${detail}`);
  if (spec.output.length < 2) refuse('the output has no channel axis to carry them');
  const moved = pruned.find((i) => (ctx.inputMap(i) as ChannelMap).axis !== 1);
  if (moved !== undefined) refuse(`input ${moved} holds them on axis ${(ctx.inputMap(moved) as ChannelMap).axis}, and only channels on axis 1 are followed through an Einsum`);
  const label = spec.output[1];
  const holders = spec.operands.map((_, i) => i).filter((i) => spec.operands[i].includes(label));
  const source = holders[0];
  if (holders.length !== 1) refuse(`the output's axis 1 (label ${shown(label)}) comes from ${holders.length} inputs, so their channels would have to be pruned together`);
  const labels = spec.operands[source];
  if (labels.indexOf(label) !== 1 || labels.lastIndexOf(label) !== 1) {
    refuse(`the output's axis 1 (label ${shown(label)}) is not a plain copy of input ${source}'s axis 1`);
  }
  if (pruned.some((i) => i !== source)) refuse(`only input ${source} ('${ctx.node.inputs[source]}') carries its axis 1 through to the output's axis 1`);
  return [ctx.inputMap(source)];
}
