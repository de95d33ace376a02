import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import * as ort from 'onnxruntime-node';
import { int64Tensor, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { serializeModel } from '../../../src/core/onnx/writer';
import { graphOf, modelOf, node, valueInfo } from '../../support/build-model';

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

test('Slice sizes follow ONNX for positive and negative steps, out-of-range and negative indices (checked by onnxruntime)', async () => {
  const far = -(2 ** 53 - 1);
  // [start, end, axis, step] on a [5, 6] input, and the size the sliced axis must get.
  const cases: [number, number, number, number, number][] = [
    [-1, far, 0, -1, 5], // reverse the whole axis
    [3, 0, 0, -1, 3],
    [10, -10, 1, -2, 3],
    [1, 4, 0, 2, 2],
    [-2, 100, 1, 1, 2],
    [0, -1, -1, 1, 5],
    [2, 2, 0, 1, 0],
    [0, 3, 0, -1, 0],
  ];
  for (const [start, end, axis, step, size] of cases) {
    const g = graphOf({
      nodes: [node('Slice', ['x', 'starts', 'ends', 'axes', 'steps'], ['y'])],
      inputs: [valueInfo('x', [5, 6])],
      outputs: [valueInfo('y', null)],
      initializers: { starts: int64Tensor([1], [start]), ends: int64Tensor([1], [end]), axes: int64Tensor([1], [axis]), steps: int64Tensor([1], [step]) },
    });
    const inferred = inferShapes(g).get('y');
    const expected = axis === 0 || axis === -2 ? [size, 6] : [5, size];
    assert.deepEqual(inferred, expected, `slice ${start}:${end}:${step} on axis ${axis}`);
    const session = await ort.InferenceSession.create(serializeModel(modelOf(g)));
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(30), [5, 6]) });
    assert.deepEqual(out.y.dims, expected, `onnxruntime, slice ${start}:${end}:${step} on axis ${axis}`);
    await session.release();
  }
});
