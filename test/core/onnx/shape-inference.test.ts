import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { graphOf, node, valueInfo } from '../../support/build-model';

function poolShape(size: number, kernel: number, stride: number, pads: number[], ceil: number): readonly number[] | undefined {
  const g = graphOf({
    nodes: [node('MaxPool', ['x'], ['y'], { kernel_shape: intsAttr([kernel]), strides: intsAttr([stride]), pads: intsAttr(pads), ceil_mode: intAttr(ceil) })],
    inputs: [valueInfo('x', [1, 1, size])],
    outputs: [valueInfo('y', null)],
  });
  return inferShapes(g).get('y');
}

test('pool output sizes follow ONNX, ceil_mode included (no window may start in the end padding)', () => {
  assert.deepEqual(poolShape(6, 2, 3, [0, 1], 1), [1, 1, 2]);
  assert.deepEqual(poolShape(7, 2, 2, [0, 0], 1), [1, 1, 4]);
  assert.deepEqual(poolShape(7, 2, 2, [0, 0], 0), [1, 1, 3]);
  assert.deepEqual(poolShape(28, 3, 2, [1, 1], 0), [1, 1, 14]);
});
