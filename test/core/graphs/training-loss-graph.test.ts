/**
 * The training loss graph (graphs/training-loss-graph.ts), run by onnxruntime in float32, gives the gradient
 * bise/train.ts computed in TypeScript: weightedCrossEntropy's dL/dlogits, with and without group weights, for
 * [N, K] logits and logits of another rank ([N, 1, K]: the graph flattens them and answers in their dims).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { buildTrainingLossGraph, trainingLossFeeds } from '../../../src/core/graphs/training-loss-graph';
import { serializeModel } from '../../../src/core/onnx/writer';
import { Model } from '../../../src/core/onnx/ir';
import { weightedCrossEntropy } from '../../../src/core/bise/cross-entropy';
import { createRng } from '../../../src/core/data/random';
import { relativeError } from '../../support/relative-error';

const N = 16;
const K = 5;
const rng = createRng(3);
// Wide logits, so that some rows' softmax saturates (their gradient rounds to 0 but for the label's entry).
const logits = Float32Array.from({ length: N * K }, () => (rng.nextFloat() * 2 - 1) * 20);
const y = Int32Array.from({ length: N }, () => rng.nextInt(K));
const groupWeights = Float32Array.from({ length: N }, () => 0.1 + 3 * rng.nextFloat());

async function graphGradient(dims: readonly number[], weights?: Float32Array): Promise<{ grad: Float32Array; dims: readonly number[] }> {
  const loss = buildTrainingLossGraph({ logits: 'logits', logitsDims: dims, dLogits: 'grad_in::logits' });
  const model: Model = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '0', graph: loss.graph, metadata: {} };
  const session = await ort.InferenceSession.create(serializeModel(model));
  try {
    const feeds: Record<string, ort.Tensor> = { logits: new ort.Tensor('float32', logits, dims) };
    for (const [name, data] of Object.entries(trainingLossFeeds(loss, y, weights))) feeds[name] = new ort.Tensor('float32', data, loss.graph.inputs.find((v) => v.name === name)?.shape as number[]);
    const out = (await session.run(feeds))['grad_in::logits'];
    return { grad: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

for (const dims of [[N, K], [N, 1, K]]) {
  for (const weighted of [false, true]) {
    test(`dLogits equals weightedCrossEntropy's gradient: logits [${dims.join(', ')}], ${weighted ? 'group weights' : 'unweighted'}`, async () => {
      const weights = weighted ? groupWeights : undefined;
      const got = await graphGradient(dims, weights);
      assert.deepEqual(got.dims, dims);
      const expected = weightedCrossEntropy(logits, y, K, weights).grad;
      const err = relativeError(got.grad, expected);
      assert.ok(err < 1e-6, `relative difference ${err}`);
    });
  }
}

test('the loss feeds refuse a label the logits have no class for, and a batch of another size', () => {
  const loss = buildTrainingLossGraph({ logits: 'l', logitsDims: [N, K], dLogits: 'dl' });
  const bad = Int32Array.from(y);
  bad[4] = K;
  assert.throws(() => trainingLossFeeds(loss, bad), /class label 5 of row 4 is not in \[0, 5\): the model has 5 outputs/);
  bad[4] = -1;
  assert.throws(() => trainingLossFeeds(loss, bad), /class label -1 of row 4/);
  assert.throws(() => trainingLossFeeds(loss, y.slice(1)), /15 labels for a batch of 16/);
  assert.throws(() => trainingLossFeeds(loss, y, groupWeights.slice(2)), /14 sample weights for a batch of 16/);
});
