/** The built-in MLP: the paper's Multi-Color MNIST 3×100 shape, BISE finds one gate group per hidden layer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMlp, MLP_3X100 } from '../../../src/core/models/mlp';
import { discoverUnits } from '../../../src/core/units/discover';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { predictDataset } from '../../../src/core/bise/predict';
import { multiColorMnistSplits } from '../../../src/core/data/multi-color-mnist';

test('mlp-3x100: 3 hidden layers of 100 after a Flatten, masks after each hidden ReLU, classifier on the last', () => {
  const model = buildMlp(MLP_3X100);
  const params = [...model.graph.initializers.values()].reduce((s, t) => s + t.data.length, 0);
  assert.equal(params, 2352 * 100 + 100 + 2 * (100 * 100 + 100) + 100 * 10 + 10);
  const d = discoverUnits(model.graph, inferShapes(model.graph, new Map([['input', [2, 3, 28, 28]]])));
  assert.equal(d.classifier, 'classifier');
  assert.equal(d.bottleneck, 'relu3.out');
  assert.deepEqual(d.groups.map((g) => g.sites.map((s) => [s.tensor, s.channels])), [[['relu1.out', 100]], [['relu2.out', 100]], [['relu3.out', 100]]]);
  assert.throws(() => buildMlp({ ...MLP_3X100, hidden: [] }), /at least one hidden layer/);
});

test('mlp: the seed changes the weights, and the model runs in onnxruntime', async () => {
  const a = buildMlp({ ...MLP_3X100, hidden: [8, 8], seed: 1 });
  const b = buildMlp({ ...MLP_3X100, hidden: [8, 8], seed: 2 });
  assert.notDeepEqual([...a.graph.initializers.get('fc1.weight')!.data.slice(0, 8)], [...b.graph.initializers.get('fc1.weight')!.data.slice(0, 8)]);
  const data = multiColorMnistSplits({ seed: 0, trainSize: 100, valSize: 10, testSize: 20 }).test;
  const { predictions } = await predictDataset(a, data, { threads: 1 });
  assert.equal(predictions.length, 20);
  assert.ok(predictions.every((p) => p >= 0 && p < 10));
});
