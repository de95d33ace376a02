/**
 * Per-sample parameters and FLOPs of a model at its declared input shapes, against counts worked out by hand from
 * the fixtures' architectures (test/fixtures/README.md, test/fixtures/transformers/README.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { declaredInputs } from '../../../src/core/graphs/model-inputs';
import { describeCost, modelCost } from '../../../src/core/onnx/model-cost';
import { readModelFile } from '../../../src/core/onnx/reader';

const FIXTURES = path.join(__dirname, '../../fixtures');

test('SimpleConvNet: 4 × Conv k7 p3 on 28×28 (3→16→32→64→128) and Linear(128→10), counted by hand', () => {
  const model = readModelFile(path.join(FIXTURES, 'simple-convnet.onnx'));
  const cost = modelCost(model.graph, declaredInputs(model));
  // Stride 1, padding 3: every conv keeps 28×28 = 784 positions; a position costs C_in·7·7 multiply-adds per output channel.
  const convs = 784 * (16 * 3 * 49 + 32 * 16 * 49 + 64 * 32 * 49 + 128 * 64 * 49);
  const multiplyAdds = convs + 128 * 10;
  assert.equal(multiplyAdds, 414_894_080);
  assert.equal(cost.multiplyAdds, multiplyAdds);
  assert.equal(cost.flops, 2 * multiplyAdds);
  // Weights and biases: 3·16·49+16, 16·32·49+32, 32·64·49+64, 64·128·49+128, 128·10+10.
  assert.equal(cost.parameters, 2368 + 25_120 + 100_416 + 401_536 + 1290);
  assert.deepEqual(cost.inputs, [{ name: 'input', dims: [1, 3, 28, 28] }]);
  assert.equal(cost.sequenceLength, undefined);
});

test('MLP: Linear 2352→100→100→100→10, per sample whatever the batch the model declares', () => {
  const model = readModelFile(path.join(FIXTURES, 'mlp.onnx'));
  const cost = modelCost(model.graph, declaredInputs(model));
  assert.equal(cost.multiplyAdds, 2352 * 100 + 100 * 100 + 100 * 100 + 100 * 10);
  assert.equal(cost.parameters, 2352 * 100 + 100 + 2 * (100 * 100 + 100) + 100 * 10 + 10);
});

test('a BERT counts its attention MatMuls too, at the sequence length it is given (quadratic in it)', () => {
  const model = readModelFile(path.join(FIXTURES, 'transformers/bert-tiny-op17.onnx'));
  const inputs = declaredInputs(model);
  // Hidden 32, 2 layers, 4 heads of 8, intermediate 64, 2 classes: per layer Q, K, V and the attention output
  // (4·L·32·32), scores and context (2·4·L·L·8), the MLP (2·L·32·64); then the pooler on token 0 and the classifier.
  const byHand = (L: number): number => 2 * (4 * L * 32 * 32 + 2 * 4 * L * L * 8 + 2 * L * 32 * 64) + 32 * 32 + 32 * 2;
  for (const L of [8, 16]) {
    const cost = modelCost(model.graph, inputs, L);
    assert.equal(cost.multiplyAdds, byHand(L), `${L} tokens`);
    assert.equal(cost.sequenceLength, L);
    assert.deepEqual(
      cost.inputs.map((v) => v.dims),
      [
        [1, L],
        [1, L],
        [1, L],
      ],
    );
  }
  assert.throws(() => modelCost(model.graph, inputs), /dynamic sequence axis; give a sequence length/);
});

test('the line `bise info` prints says what is counted and at which shapes', () => {
  assert.equal(
    describeCost({ parameters: 1, flops: 829_788_160, multiplyAdds: 414_894_080, counted: ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'], inputs: [{ name: 'input', dims: [1, 3, 28, 28] }] }),
    '829.8 M FLOPs per sample: 2 × 414,894,080 multiply-adds of Conv, ConvTranspose, Gemm and MatMul at input [1, 3, 28, 28]; other ops are not counted',
  );
  assert.match(
    describeCost({ parameters: 1, flops: 280_704, multiplyAdds: 140_352, counted: ['MatMul'], inputs: [{ name: 'input_ids', dims: [1, 8] }], sequenceLength: 8 }),
    /^280\.7 k FLOPs per sample of 8 tokens \(more for longer sequences\): 2 × 140,352 multiply-adds of MatMul at input_ids \[1, 8\]/,
  );
});
