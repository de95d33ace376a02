import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelFile } from '../../../src/core/onnx/reader';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { discoverUnits } from '../../../src/core/units/discover';
import { floatTensor } from '../../../src/core/onnx/ir';
import { fixturePath } from '../../support/fixtures';
import { graphOf, node, valueInfo } from '../../support/build-model';

function discover(name: string, spatial: number, options = {}) {
  const m = readModelFile(fixturePath(name));
  return discoverUnits(m.graph, inferShapes(m.graph, new Map([['input', [2, 3, spatial, spatial]]])), options);
}

test('SimpleConvNet: one gate after each conv block ReLU; z is the pooled features', () => {
  const d = discover('simple-convnet', 28);
  assert.equal(d.classifier, '/fc/Gemm');
  assert.equal(d.bottleneck, '/Flatten_output_0');
  assert.deepEqual(d.groups.map((g) => g.channels), [16, 32, 64, 128]);
  assert.deepEqual(d.sites.map((s) => s.tensor), [2, 5, 8, 11].map((k) => `/extracter/extracter.${k}/Relu_output_0`));
});

test('ResNet-18: residual streams form one group per stage; gates before conv2 and on block outputs', () => {
  const d = discover('resnet18', 32);
  assert.equal(d.sites.length, 17);
  assert.equal(d.groups.length, 12);
  const stage1 = d.groups.find((g) => g.producers.includes('/conv1/Conv'))!;
  assert.deepEqual([...stage1.producers].sort(), ['/conv1/Conv', '/layer1/layer1.0/conv2/Conv', '/layer1/layer1.1/conv2/Conv']);
  assert.deepEqual(stage1.sites.map((s) => s.tensor), ['/relu/Relu_output_0', '/layer1/layer1.0/relu_1/Relu_output_0', '/layer1/layer1.1/relu_1/Relu_output_0']);
  const stage2 = d.groups.find((g) => g.producers.includes('/layer2/layer2.0/downsample/downsample.0/Conv'))!;
  assert.ok(stage2.producers.includes('/layer2/layer2.0/conv2/Conv') && stage2.producers.includes('/layer2/layer2.1/conv2/Conv'));
  const mid = d.groups.find((g) => g.producers.length === 1 && g.producers[0] === '/layer3/layer3.1/conv1/Conv')!;
  assert.deepEqual(mid.sites.map((s) => s.tensor), ['/layer3/layer3.1/relu/Relu_output_0']);
});

test('MLP: hidden neurons gated after each ReLU; z is itself a gate site', () => {
  const d = discover('mlp', 28);
  assert.deepEqual(d.groups.map((g) => g.channels), [100, 100, 100]);
  assert.equal(d.bottleneck, d.sites[2].tensor);
});

test('the bottleneck can be overridden; encoder units stop there', () => {
  const d = discover('mlp', 28, { bottleneck: '/4/Relu_output_0' });
  assert.equal(d.groups.length, 2);
  assert.equal(d.classifier, '/5/Gemm');
});

test('no classifier head gives an actionable error', () => {
  const g = graphOf({
    nodes: [node('Relu', ['x'], ['y'])],
    inputs: [valueInfo('x', [1, 4])],
    outputs: [valueInfo('y', [1, 4])],
  });
  assert.throws(() => discoverUnits(g, inferShapes(g)), /no classifier head found: 'y' is not produced by a Gemm\/MatMul/);
});

test('MatMul + bias Add units are found and gated after their activation', () => {
  const g = graphOf({
    nodes: [
      node('MatMul', ['x', 'w1'], ['h'], {}, 'fc1'),
      node('Add', ['h', 'b1'], ['hb']),
      node('Tanh', ['hb'], ['a']),
      node('MatMul', ['a', 'w2'], ['y'], {}, 'head'),
    ],
    inputs: [valueInfo('x', [2, 3])],
    outputs: [valueInfo('y', [2, 2])],
    initializers: { w1: floatTensor([3, 4], new Array(12).fill(0.1)), b1: floatTensor([4], [0, 0, 0, 0]), w2: floatTensor([4, 2], new Array(8).fill(0.1)) },
  });
  const d = discoverUnits(g, inferShapes(g));
  assert.equal(d.classifier, 'head');
  assert.deepEqual(d.groups.map((x) => [x.producers, x.sites.map((s) => s.tensor)]), [[['fc1'], ['a']]]);
});

test('units whose activations meet in an Add share one group (relu(a) + relu(b))', () => {
  const w = floatTensor([4, 2, 1, 1], new Array(8).fill(0.5));
  const g = graphOf({
    nodes: [
      node('Conv', ['x', 'wa'], ['a'], {}, 'convA'),
      node('Relu', ['a'], ['ra']),
      node('Conv', ['x', 'wb'], ['b'], {}, 'convB'),
      node('Relu', ['b'], ['rb']),
      node('Add', ['ra', 'rb'], ['s']),
      node('GlobalAveragePool', ['s'], ['p']),
      node('Flatten', ['p'], ['z']),
      node('Gemm', ['z', 'wc'], ['y'], { transB: { type: 'int', value: 1 } }, 'head'),
    ],
    inputs: [valueInfo('x', [1, 2, 3, 3])],
    outputs: [valueInfo('y', [1, 3])],
    initializers: { wa: w, wb: w, wc: floatTensor([3, 4], new Array(12).fill(0.1)) },
  });
  const d = discoverUnits(g, inferShapes(g));
  assert.equal(d.groups.length, 1);
  assert.deepEqual([...d.groups[0].producers].sort(), ['convA', 'convB']);
  assert.deepEqual(d.groups[0].sites.map((s) => s.tensor), ['ra', 'rb']);
});
