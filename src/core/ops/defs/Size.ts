import { defineOp } from '../op';
import { size } from '../reference/shape-arith';
import { need } from '../shape-rules';

/** Size: the input's element count as an int64 scalar. */
export const Size = defineOp({
  opType: 'Size',
  scope: 'model',
  signature: { inputs: [1, 1] },
  shape: (n, s) => {
    need(s[0], n, 0);
    return [[]];
  },
  gradient: { unsupported: 'its output is an integer count, which has no gradient (the backward pass stops at integer tensors)' },
  /** Reads only the dims: a scalar output carries no channels. */
  prune: { pruneIn: () => [undefined] },
  reference: size,
});
