/**
 * The built-in text benchmark end to end on a subsample: `bise train --architecture bert-mini --dataset spam-names`
 * lowers the loss through every op of the BERT-style graph and writes the model with its tokenizer.json next to it;
 * `bise extract` reads the benchmark with that tokenizer (found next to the model), prunes and verifies;
 * `bise finetune` (BISE+FT) trains the pruned model with the tokenizer given; a different tokenizer already next to
 * --out is not replaced without --overwrite, and image architectures and text data are not mixed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTrainJob, TrainJobOptions } from '../../../src/core/jobs/train-job';
import { runExtractJob } from '../../../src/core/jobs/extract-job';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/core/bise/train';
import { DEFAULT_EXTRACT_CONFIG } from '../../../src/core/bise/config';
import { BuiltinDatasetSpec } from '../../../src/core/jobs/builtin-datasets';
import { JobEvent } from '../../../src/core/bise/events';
import { readModelFile } from '../../../src/core/onnx/reader';

const data: BuiltinDatasetSpec = { kind: 'spam-names', rho: 0.9, seed: 1, trainSize: 128, valSize: 64, testSize: 64, maxLength: 32 };

function options(out: string, overrides: Partial<TrainJobOptions> = {}): TrainJobOptions {
  return {
    architecture: 'bert-mini',
    data,
    config: { ...DEFAULT_TRAIN_CONFIG, epochs: 3, batchSize: 32, optimizer: 'adam', lr: 0.001, weightDecay: 0 },
    out,
    overwrite: false,
    threads: 2,
    commandLine: 'bise train (test)',
    ...overrides,
  };
}

test('spam-names: bise train bert-mini lowers the loss and writes its tokenizer; extract prunes and verifies; finetune trains the subnetwork', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-spam-names-'));
  const epochs: Extract<JobEvent, { type: 'train-epoch' }>[] = [];
  const trained = await runTrainJob(options(path.join(dir, 'bert.onnx')), { onEvent: (e) => e.type === 'train-epoch' && epochs.push(e) });
  assert.ok(epochs[2].loss < epochs[0].loss, `loss ${epochs.map((e) => e.loss.toFixed(4)).join(' → ')}`);
  assert.equal(trained.test.samples, 64);
  assert.deepEqual(trained.biasAttributes, ['first name gender']);
  const tokenizer = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
  const model = readModelFile(trained.out);
  assert.equal(model.graph.initializers.get('bert.embeddings.word_embeddings.weight')?.dims[0], Object.keys(tokenizer.model.vocab).length);
  assert.match(JSON.parse(model.metadata['bise.training']).data, /SpamAssassin spam\/ham with a first name/);

  const events: JobEvent[] = [];
  const extracted = await runExtractJob(
    {
      modelPath: trained.out,
      data,
      config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 32, tauPeriod: 1, maxEpochs: 1, auxEpochs: 1 },
      outDir: path.join(dir, 'report'),
      overwrite: false,
      randomSeeds: 1,
      probe: false,
      probeEpochs: 1,
      threads: 2,
    },
    { onEvent: (e) => events.push(e) },
  );
  assert.ok(events.some((e) => e.type === 'log' && /pruned model verified/.test(e.message)));
  assert.deepEqual(extracted.report.masks.map((m) => m.logits.length), [256, 256, 64]);
  assert.deepEqual(extracted.report.metrics.baselines.map((b) => b.name), ['random', 'magnitude']);
  assert.equal(typeof extracted.report.metrics.subnetwork.worstGroupAccuracy, 'number');

  const pruned = path.join(dir, 'report', 'bert.bise.onnx');
  const ftData = { ...data, tokenizer: path.join(dir, 'tokenizer.json') };
  const finetuned = await runTrainJob(options(path.join(dir, 'report', 'bert.bise.ft.onnx'), { modelPath: pruned, data: ftData, config: { ...options('').config, epochs: 1, reweighted: true } }), { onEvent: () => undefined });
  assert.equal(finetuned.test.samples, 64);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'report', 'tokenizer.json')), fs.readFileSync(path.join(dir, 'tokenizer.json')));

  // Another data seed makes another vocabulary: the tokenizer next to --out is not replaced silently.
  await assert.rejects(
    runTrainJob(options(path.join(dir, 'other.onnx'), { data: { ...data, seed: 2 } }), { onEvent: () => undefined }),
    /tokenizer\.json' exists and differs from the tokenizer this model is trained with; pass --overwrite/,
  );
  await assert.rejects(runTrainJob(options(path.join(dir, 'cnn.onnx'), { architecture: 'demo-cnn' }), { onEvent: () => undefined }), /the data is text; demo-cnn takes images/);
  await assert.rejects(
    runTrainJob(options(path.join(dir, 'b.onnx'), { data: { kind: 'biased-mnist', rho: 0.9, seed: 0, trainSize: 100, valSize: 10, testSize: 10 } }), { onEvent: () => undefined }),
    /bert-mini takes token ids/,
  );
});
