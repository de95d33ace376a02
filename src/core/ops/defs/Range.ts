import { Node, Tensor } from '../../onnx/ir';
import { defineOp } from '../op';
import { range } from '../reference/shape-arith';
import { rangeCount } from '../shape-arith';
import { knownInput } from '../shape-rules';

const INPUTS = ['start', 'limit', 'delta'];

function scalar(n: Node, constants: ReadonlyMap<string, Tensor>, i: number): number {
  const t = knownInput(n, (name) => constants.get(name), i, INPUTS[i]);
  if (t.data.length !== 1) throw new Error(`node '${n.name}' (Range): its ${INPUTS[i]} should be a scalar, found [${t.dims.join(', ')}]`);
  return Number(t.data[0]);
}

/** Range(start, limit, delta): start, start + delta, … up to (not including) limit. Its length is read from the file. */
export const Range = defineOp({
  opType: 'Range',
  scope: 'model',
  signature: { inputs: [3, 3] },
  shape: (n, _s, constants) => [[rangeCount(n, scalar(n, constants, 0), scalar(n, constants, 1), scalar(n, constants, 2))]],
  gradient: { unsupported: 'its inputs only say where a sequence starts, ends and steps; like torch.arange it has no gradient' },
  /** Scalars in, a 1-D sequence out: no channels reach it or leave it. */
  prune: { pruneIn: () => [undefined] },
  reference: range,
});
