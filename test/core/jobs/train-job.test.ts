import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTrainJob, TrainJobOptions } from '../../../src/core/jobs/train-job';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/core/bise/train';
import { readModelFile } from '../../../src/core/onnx/reader';
import { JobEvent } from '../../../src/core/bise/events';

function options(dir: string, overrides: Partial<TrainJobOptions> = {}): TrainJobOptions {
  return {
    architecture: 'demo-cnn',
    data: { kind: 'biased-mnist', rho: 0.5, seed: 2, trainSize: 1000, valSize: 200, testSize: 200 },
    config: { ...DEFAULT_TRAIN_CONFIG, epochs: 3, lr: 0.05, batchSize: 50 },
    out: path.join(dir, 'trained.onnx'),
    overwrite: false,
    threads: 2,
    commandLine: 'bise train (test)',
    ...overrides,
  };
}

test('training learns (loss falls, accuracy beats chance) and writes the model with its record', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-train-'));
  const epochs: Extract<JobEvent, { type: 'train-epoch' }>[] = [];
  const result = await runTrainJob(options(dir), { onEvent: (e) => e.type === 'train-epoch' && epochs.push(e) });
  assert.equal(epochs.length, 3);
  assert.ok(epochs[2].loss < epochs[0].loss, `loss ${epochs[0].loss} -> ${epochs[2].loss}`);
  assert.ok(epochs[2].trainAccuracy > 0.3, `train accuracy ${epochs[2].trainAccuracy}`);
  assert.ok(result.test.samples === 200);
  const model = readModelFile(result.out);
  const record = JSON.parse(model.metadata['bise.training']);
  assert.equal(record.command, 'bise train (test)');
  assert.equal(record.config.epochs, 3);
  const sidecar = JSON.parse(fs.readFileSync(`${result.out}.train.json`, 'utf8'));
  assert.equal(sidecar.history.length, 3);
  await assert.rejects(() => runTrainJob(options(dir), { onEvent: () => undefined }), /already exists; pass --overwrite/);
  await assert.rejects(() => runTrainJob(options(dir, { modelPath: result.out, overwrite: true }), { onEvent: () => undefined }), /refusing to write the trained model over its source/);
});

test('a diverging run stops with an actionable message', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-train-'));
  const o = options(dir, { config: { ...DEFAULT_TRAIN_CONFIG, epochs: 2, lr: 1e6, batchSize: 50 } });
  await assert.rejects(() => runTrainJob(o, { onEvent: () => undefined }), /training diverged at epoch \d+, step \d+: the loss is (NaN|Infinity); lower the learning rate/);
  assert.ok(!fs.existsSync(o.out));
});
