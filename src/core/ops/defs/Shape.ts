import { defineOp } from '../op';
import { shape } from '../reference/shape-arith';
import { shapeSlice } from '../shape-arith';
import { need } from '../shape-rules';

/** Shape (start/end from opset 15): the input's dims as an int64 vector. */
export const Shape = defineOp({
  opType: 'Shape',
  scope: 'model',
  signature: { inputs: [1, 1], attributes: { start: 'int', end: 'int' } },
  shape: (n, s) => [[shapeSlice(n, need(s[0], n, 0)).length]],
  gradient: { unsupported: 'its output is an integer shape, which has no gradient (the backward pass stops at integer tensors)' },
  /**
   * Reads only the dims: a 1-D output carries no channels. After pruning it yields the pruned sizes by itself, which
   * is what keeps a computed target such as view(x.size(0), -1) right.
   */
  prune: { pruneIn: () => [undefined] },
  reference: shape,
});
