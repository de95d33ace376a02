import { defineOp } from '../op';
import { constantOfShape } from '../reference/shape-arith';
import { knownInput, need } from '../shape-rules';

/** ConstantOfShape(shape): a tensor of that shape filled with `value` (one element; default float32 0). */
export const ConstantOfShape = defineOp({
  opType: 'ConstantOfShape',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { value: 'tensor' } },
  shape: (n, s, constants) => {
    const dims = need(s[0], n, 0);
    if (dims.length !== 1) throw new Error(`node '${n.name}' (ConstantOfShape): its shape input should be 1-D, found [${dims.join(', ')}]`);
    const v = n.attributes.value;
    if (v && (v.type !== 'tensor' || v.value.data.length !== 1)) throw new Error(`node '${n.name}' (ConstantOfShape): attribute 'value' should be a one-element tensor`);
    const t = knownInput(n, (name) => constants.get(name), 0, 'shape');
    const out = Array.from(t.data as ArrayLike<number | bigint>, (d) => Number(d));
    out.forEach((d, i) => {
      if (!Number.isInteger(d) || d < 0) throw new Error(`node '${n.name}' (ConstantOfShape): shape [${out.join(', ')}] has entry ${i} = ${d}; sizes are integers ≥ 0`);
    });
    return [out];
  },
  gradient: { unsupported: 'its only input is a shape (integers), through which no gradient flows' },
  /**
   * No input carries channels, so the pruner never hands it a pruned map. Where its shape comes from a pruned tensor
   * (zeros_like), the value follows the pruning at run time but its channel map stays the original one, so an op that
   * meets it next to the pruned tensor refuses with both named.
   */
  prune: { pruneIn: () => [undefined] },
  reference: constantOfShape,
});
