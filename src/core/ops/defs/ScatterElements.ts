import { defineOp } from '../op';
import { scatterElements } from '../reference/layout';
import { need } from '../shape-rules';

/** Emitted by MaxPool's gradient (scatter-add of dY to the argmax positions); not accepted in a user's model. */
export const ScatterElements = defineOp({
  opType: 'ScatterElements',
  scope: 'engine',
  signature: { inputs: [3, 3], attributes: { axis: 'int', reduction: 'string' } },
  shape: (n, s) => [[...need(s[0], n, 0)]],
  gradient: {
    unsupported: 'ScatterElements only appears in the backward graphs the engine builds, and the engine does not differentiate its own backward graphs',
  },
  prune: { unsupported: 'ScatterElements only appears in the backward graphs the engine builds, never in a model that is pruned' },
  reference: scatterElements,
});
