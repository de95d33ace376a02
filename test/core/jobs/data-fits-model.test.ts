/**
 * fitDataToModel: data the model cannot take is refused naming the model; fewer classes than outputs are widened;
 * channels-first images are transposed for a channels-last model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSmallCnn } from '../../../src/core/models/small-cnn';
import { modelIo } from '../../../src/core/jobs/model-analysis';
import { fitDataToModel } from '../../../src/core/jobs/data-fits-model';
import type { InMemoryDataset } from '../../../src/core/data/dataset';
import { intsAttr } from '../../../src/core/onnx/ir';
import { GraphBuilder } from '../prune/ir-builder';

const model = buildSmallCnn({ inputChannels: 3, height: 8, width: 8, blocks: [{ channels: 4, kernel: 3, stride: 1 }], classes: 5, seed: 0 });
const io = modelIo(model, 'net.onnx');

function split(numClasses: number, dims: [number, number, number] = [3, 8, 8]): InMemoryDataset {
  const n = 4;
  return { name: 'd', x: new Float32Array(n * dims[0] * dims[1] * dims[2]), dims, y: Int32Array.from([0, 1, 0, 1]), biases: [Int32Array.from([0, 0, 1, 1])], numClasses, biasClasses: [2], meta: {} as InMemoryDataset['meta'] };
}

test('the model input and classes are read from the graph', () => {
  assert.deepEqual(io.sampleDims, [3, 8, 8]);
  assert.equal(io.classes, 5);
});

test('labels spanning fewer classes than the model outputs are indexed by the model width', () => {
  const data = { description: 'toy', train: split(2), val: split(2), test: split(3) };
  const fitted = fitDataToModel(io, data, 'net.onnx');
  assert.deepEqual([fitted.train.numClasses, fitted.val.numClasses, fitted.test.numClasses], [5, 5, 5]);
  assert.equal(fitted.train.x, data.train.x, 'no copy of the images');
});

test('more classes than outputs, or images of another size, are refused naming the model', () => {
  assert.throws(() => fitDataToModel(io, { description: 'toy', train: split(7), val: split(2), test: split(2) }, 'net.onnx'), /^OnnxModelError: net\.onnx: has 5 outputs \(classes\), but the labels of the data \(toy\) span 7 classes/);
  assert.throws(() => fitDataToModel(io, { description: 'toy', train: split(2, [1, 8, 8]), val: split(2), test: split(2) }, 'net.onnx'), /net\.onnx: takes inputs of \[3, 8, 8\] \(C, H, W\), but the data \(toy\) has images of \[1, 8, 8\]/);
});

test('a channels-last model (Keras through tf2onnx) gets the channels-first images transposed to [H, W, C]', () => {
  const b = new GraphBuilder(3);
  const x = b.input('x', ['batch', 8, 8, 3]);
  const nchw = b.node('Transpose', [x], { perm: intsAttr([0, 3, 1, 2]) });
  const pooled = b.node('Flatten', [b.node('GlobalAveragePool', [b.node('Conv', [nchw, b.weight('w', [4, 3, 3, 3])], { kernel_shape: intsAttr([3, 3]) })])]);
  const nhwc = modelIo(b.model(b.node('Gemm', [pooled, b.weight('fc', [4, 5])])), 'keras.onnx');
  assert.deepEqual(nhwc.sampleDims, [8, 8, 3]);
  const data = { description: 'toy', train: split(2), val: split(2), test: split(2) };
  // Value c·100 + pixel, so that where each value lands is plain.
  for (const s of [data.train, data.val, data.test]) s.x.forEach((_, i) => (s.x[i] = Math.floor((i % 192) / 64) * 100 + (i % 64)));
  const fitted = fitDataToModel(nhwc, data, 'keras.onnx');
  assert.deepEqual(fitted.train.dims, [8, 8, 3]);
  assert.deepEqual([...fitted.test.x.subarray(0, 6)], [0, 100, 200, 1, 101, 201]);
  assert.equal(fitted.val.x[192 + 3 * 63 + 2], 263, 'sample 1, pixel 63, channel 2');
  assert.equal(data.train.x[1], 1, 'the loaded images are left as they are');
  assert.throws(() => fitDataToModel(nhwc, { description: 'toy', train: split(2, [3, 6, 6]), val: split(2), test: split(2) }, 'keras.onnx'), /takes inputs of \[8, 8, 3\] \(H, W, C: channels last\), but the data \(toy\) has images of \[3, 6, 6\] \(C, H, W\)/);
});
