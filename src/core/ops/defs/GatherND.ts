import { attrInt } from '../../onnx/ir';
import { defineOp } from '../op';
import { gatherND } from '../reference/scatter-gather-nd';
import { need } from '../shape-rules';
import { indexedSliceShape } from '../scatter-gather-nd-shape';

/** Emitted by ScatterND's gradient (the updates' gradient is dY read at the scattered slices); batch_dims 0 only. */
export const GatherND = defineOp({
  opType: 'GatherND',
  scope: 'engine',
  signature: { inputs: [2, 2], attributes: { batch_dims: 'int' } },
  shape: (n, s) => {
    if (attrInt(n, 'batch_dims', 0) !== 0) throw new Error(`node '${n.name}' (GatherND): attribute 'batch_dims' must be 0 (the engine only emits that form)`);
    return [indexedSliceShape(n, need(s[0], n, 0), need(s[1], n, 1))];
  },
  gradient: { unsupported: 'GatherND only appears in the backward graphs the engine builds, and the engine does not differentiate its own backward graphs' },
  prune: { unsupported: 'GatherND only appears in the backward graphs the engine builds, never in a model that is pruned' },
  reference: gatherND,
});
