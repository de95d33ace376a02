/**
 * Dataset inference sessions: SimpleConvNet's 7×7 convs are lowered to the frequency domain at a fixed batch
 * size, a short last batch is padded and cut back, and the logits equal the model run directly; a model with
 * nothing worth lowering keeps its symbolic batch size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelFile } from '../../../src/core/onnx/reader';
import { InferenceSession } from '../../../src/core/runtime/inference-session';
import { fixturePath } from '../../support/fixtures';
import { Rng } from '../../support/random';

test('SimpleConvNet: fixed-batch lowered inference equals the direct model, including a short last batch', async () => {
  const model = readModelFile(fixturePath('simple-convnet'));
  const rng = new Rng(9);
  const sample = [3, 28, 28];
  const rows = 5;
  const x = Float32Array.from({ length: rows * 3 * 28 * 28 }, () => rng.normal());
  const lowered = await InferenceSession.create(model, model.graph, 8, { threads: 1 });
  const direct = await InferenceSession.create(model, model.graph, 8, { threads: 1, frequencyConv: false });
  try {
    assert.equal(lowered.fixedBatch, 8);
    assert.equal(direct.fixedBatch, undefined);
    const output = model.graph.outputs[0].name;
    const a = (await lowered.run(x, sample, rows))[output];
    const b = (await direct.run(x, sample, rows))[output];
    assert.deepEqual(a.dims, [rows, 10]);
    assert.deepEqual(b.dims, [rows, 10]);
    const [da, db] = [a.data as Float32Array, b.data as Float32Array];
    const scale = Math.max(...db.map(Math.abs));
    const err = Math.max(...da.map((v, i) => Math.abs(v - db[i]))) / scale;
    assert.ok(err <= 1e-5, `logits differ: relative ${err}`);
    await assert.rejects(lowered.run(new Float32Array(9 * 3 * 28 * 28), sample, 9), /exceeds the session's fixed batch of 8/);
  } finally {
    await lowered.release();
    await direct.release();
  }
});

test('a model with no conv worth lowering keeps any batch size', async () => {
  const model = readModelFile(fixturePath('mlp'));
  const session = await InferenceSession.create(model, model.graph, 4, { threads: 1 });
  try {
    assert.equal(session.fixedBatch, undefined);
    const dims = model.graph.inputs[0].shape?.slice(1) as number[];
    const size = dims.reduce((p, d) => p * d, 1);
    const out = await session.run(new Float32Array(7 * size), dims, 7);
    assert.equal(out[model.graph.outputs[0].name].dims[0], 7);
  } finally {
    await session.release();
  }
});
