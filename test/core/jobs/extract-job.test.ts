/**
 * The whole extract job on a small real run: a CNN built and briefly trained here, BiasedMNIST, every stage
 * (mask learning, baselines, probe, pruning + verification, report folder). Checks the outputs, that the
 * source model is byte-identical afterwards, and that a cancelled run leaves nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSmallCnn, DEMO_CNN } from '../../../src/core/models/small-cnn';
import { serializeModel } from '../../../src/core/onnx/writer';
import { readModelFile } from '../../../src/core/onnx/reader';
import { runExtractJob, ExtractJobOptions } from '../../../src/core/jobs/extract-job';
import { DEFAULT_EXTRACT_CONFIG } from '../../../src/core/bise/config';
import { parseReport } from '../../../src/core/report/schema';
import { JobEvent, CancelledError } from '../../../src/core/bise/events';
import { biasedMnistSplits } from '../../../src/core/data/biased-mnist';
import { npyBytes } from '../../support/npy-writer';

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function setup(): { dir: string; modelPath: string; options: ExtractJobOptions } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-job-'));
  const modelPath = path.join(dir, 'vanilla.onnx');
  fs.writeFileSync(modelPath, serializeModel(buildSmallCnn({ ...DEMO_CNN, blocks: DEMO_CNN.blocks.map((b) => ({ ...b, channels: b.channels / 4 })) })));
  const options: ExtractJobOptions = {
    modelPath,
    data: { kind: 'biased-mnist', rho: 0.9, seed: 1, trainSize: 300, valSize: 100, testSize: 100 },
    config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, tauPeriod: 1, maxEpochs: 2, auxEpochs: 1 },
    overwrite: false,
    randomSeeds: 2,
    probe: true,
    probeEpochs: 2,
    threads: 2,
  };
  return { dir, modelPath, options };
}

test('extract writes a verified, smaller model and a complete report next to the untouched source', async () => {
  const { dir, modelPath, options } = setup();
  const before = sha(modelPath);
  const events: JobEvent[] = [];
  const result = await runExtractJob(options, { onEvent: (e) => events.push(e) });
  assert.equal(sha(modelPath), before, 'the source model is byte-identical');
  assert.equal(result.folder, path.join(dir, 'vanilla.bise'));
  const names = fs.readdirSync(result.folder).sort();
  assert.deepEqual(names, ['figures', 'masks.json', 'report.json', 'report.md', 'vanilla.bise.onnx']);
  const report = parseReport(fs.readFileSync(path.join(result.folder, 'report.json'), 'utf8'), 'report.json');
  assert.equal(report.history.length, 2);
  assert.equal(report.masks.length, 4);
  assert.ok(report.probe && report.probe.vanilla.perLayer.length === 4);
  assert.deepEqual(report.metrics.baselines.map((b) => b.name), ['random', 'magnitude']);
  const kept = report.masks.reduce((s, m) => s + m.keep.filter(Boolean).length, 0);
  assert.equal(report.pruning.unitsAfter, kept);
  const pruned = readModelFile(path.join(result.folder, 'vanilla.bise.onnx'));
  const params = [...pruned.graph.initializers.values()].reduce((s, t) => s + t.data.length, 0);
  assert.equal(params, report.pruning.paramsAfter);
  assert.ok(events.some((e) => e.type === 'log' && /pruned model verified/.test(e.message)));
  // The step's memory budget (half the free memory by default) and what it chose are logged (runtime/memory-budget.ts).
  assert.ok(events.some((e) => e.type === 'log' && /^memory budget /.test(e.message)));
  assert.ok(events.filter((e) => e.type === 'epoch').length === 2);
  // The whole-set passes report per batch: the heads' feature pass (300 images, inference batches of 200) and validation.
  const featurePass = events.filter((e) => e.type === 'progress' && e.phase === 'aux-head' && e.done > 0).map((e) => (e.type === 'progress' ? `${e.done}/${e.total}` : ''));
  assert.deepEqual(featurePass.slice(0, 3), ['1/3', '2/3', '3/3']);
  assert.ok(events.some((e) => e.type === 'progress' && e.phase === 'validate' && e.done === e.total));
  await assert.rejects(() => runExtractJob(options, { onEvent: () => undefined }), /already exists; pass --overwrite/);
  assert.equal(sha(modelPath), before);
});

test('a cancelled extract writes nothing', async () => {
  const { dir, options } = setup();
  const controller = new AbortController();
  let steps = 0;
  await assert.rejects(
    () =>
      runExtractJob(options, {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.phase === 'extract' && ++steps === 2) controller.abort();
        },
      }),
    CancelledError,
  );
  assert.deepEqual(fs.readdirSync(dir), ['vanilla.onnx']);
  // Cancelled in the middle of the auxiliary heads' feature pass over the training set (a long pass on large data).
  const during = new AbortController();
  await assert.rejects(
    () =>
      runExtractJob(options, {
        signal: during.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.phase === 'aux-head' && e.done === 1) during.abort();
          if (e.type === 'progress' && e.phase === 'aux-head' && e.done > 1) assert.fail('the feature pass went on after the cancel');
        },
      }),
    CancelledError,
  );
});

test('extract runs on a user .npy folder (given with --data) and names bad data clearly', async () => {
  const { dir, options } = setup();
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  const splits = biasedMnistSplits({ rho: 0.9, seed: 3, trainSize: 300, valSize: 100, testSize: 100 });
  for (const [name, part] of Object.entries(splits)) {
    fs.writeFileSync(path.join(data, `x_${name}.npy`), npyBytes({ descr: '<f4', shape: [part.y.length, ...part.dims], data: Array.from(part.x) }));
    fs.writeFileSync(path.join(data, `y_${name}.npy`), npyBytes({ descr: '<i4', shape: [part.y.length], data: Array.from(part.y) }));
    fs.writeFileSync(path.join(data, `b_${name}.npy`), npyBytes({ descr: '<i4', shape: [part.y.length], data: Array.from(part.biases[0]) }));
  }
  const result = await runExtractJob({ ...options, data: { kind: 'npy-folder', dir: data, seed: 0 }, probe: false }, { onEvent: () => undefined });
  const report = parseReport(fs.readFileSync(path.join(result.folder, 'report.json'), 'utf8'), 'report.json');
  assert.equal(report.data.trainSize, 300);
  fs.writeFileSync(path.join(data, 'y_test.npy'), npyBytes({ descr: '<i4', shape: [7], data: new Array<number>(7).fill(0) }));
  await assert.rejects(
    () => runExtractJob({ ...options, data: { kind: 'npy-folder', dir: data, seed: 0 }, outDir: path.join(dir, 'again') }, { onEvent: () => undefined }),
    /y_test\.npy/,
  );
});
