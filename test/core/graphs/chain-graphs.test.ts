/** Joining graphs by tensor name (graphs/chain-graphs.ts): edges, shared inputs and repeated constants. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, floatTensor } from '../../../src/core/onnx/ir';
import { chainGraphs } from '../../../src/core/graphs/chain-graphs';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { refTensor } from '../../../src/core/ops/reference/tensor';
import { graphOf, node, valueInfo } from '../../support/build-model';

// forward: h = x·w (w a constant), y = Constant(c)·h; backward-like: reads x again, h, w and c as its own constants.
const forward: Graph = graphOf({
  nodes: [node('Mul', ['x', 'w'], ['h']), node('Constant', [], ['c'], { value: { type: 'tensor', value: floatTensor([1], [3]) } }), node('Mul', ['h', 'c'], ['y'])],
  inputs: [valueInfo('x', [2])],
  outputs: [valueInfo('y', [2])],
  initializers: { w: floatTensor([2], [2, 5]) },
});
const backward = (w: number[], c: number[]): Graph =>
  graphOf({
    nodes: [node('Mul', ['h', 'w'], ['t']), node('Mul', ['t', 'c'], ['u']), node('Add', ['u', 'x'], ['out'])],
    inputs: [valueInfo('h', [2]), valueInfo('x', [2])],
    outputs: [valueInfo('out', [2])],
    initializers: { w: floatTensor([2], w), c: floatTensor([1], c) },
  });

test('a later input an earlier graph computes becomes an edge; a shared input is fed once; equal constants merge', () => {
  const joined = chainGraphs('joined', [forward, backward([2, 5], [3])], [valueInfo('y', [2]), valueInfo('out', [2])]);
  assert.deepEqual(joined.inputs.map((v) => v.name), ['x']);
  const values = evaluate(joined, new Map([['x', refTensor([2], [1, -1])]]));
  assert.deepEqual([...(values.get('y')?.data ?? [])], [6, -15]);
  // out = (x·w)·w·c + x
  assert.deepEqual([...(values.get('out')?.data ?? [])], [13, -76]);
});

test('a constant that differs from an earlier constant or Constant node of its name is refused, naming it', () => {
  assert.throws(() => chainGraphs('joined', [forward, backward([2, 6], [3])], []), /constant 'w' of .* differs/);
  assert.throws(() => chainGraphs('joined', [forward, backward([2, 5], [4])], []), /constant 'c' of .* is computed or fed by an earlier graph/);
  assert.throws(() => chainGraphs('joined', [forward], [valueInfo('nowhere', [2])]), /output 'nowhere' is not computed/);
});
