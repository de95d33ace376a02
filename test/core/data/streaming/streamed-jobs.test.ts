/**
 * The engine's consumers read streamed datasets the way they read in-memory ones: a small extract job (mask
 * learning, assessment with the probe, pruning check, data hash) and an eval job on an image CSV give the same
 * report whether the images are streamed or held in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { buildSmallCnn, DEMO_CNN } from '../../../../src/core/models/small-cnn';
import { serializeModel } from '../../../../src/core/onnx/writer';
import { runExtractJob, ExtractJobOptions } from '../../../../src/core/jobs/extract-job';
import { runEvalJob } from '../../../../src/core/jobs/eval-job';
import { DEFAULT_EXTRACT_CONFIG } from '../../../../src/core/bise/config';
import { biasedMnistSplits } from '../../../../src/core/data/biased-mnist';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-streamed-job-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** BiasedMNIST written as 28×28 PNGs listed by a CSV with a split column. */
function biasedMnistCsv(): string {
  const splits = biasedMnistSplits({ rho: 0.9, seed: 3, trainSize: 50, valSize: 25, testSize: 25 });
  const rows = ['path,label,bias,split'];
  for (const [split, part] of Object.entries(splits)) {
    const [, h, w] = part.dims;
    for (let i = 0; i < part.y.length; i++) {
      const png = new PNG({ width: w, height: h });
      for (let p = 0; p < h * w; p++) {
        // x was normalised (v/255 − 0.5)/0.5 from 8-bit values: undo it exactly.
        for (let c = 0; c < 3; c++) png.data[4 * p + c] = Math.round((part.x[i * 3 * h * w + c * h * w + p] * 0.5 + 0.5) * 255);
        png.data[4 * p + 3] = 255;
      }
      fs.writeFileSync(path.join(dir, `${split}-${i}.png`), PNG.sync.write(png));
      rows.push(`${split}-${i}.png,${part.y[i]},${part.biases[0][i]},${split}`);
    }
  }
  fs.writeFileSync(path.join(dir, 'data.csv'), rows.join('\n') + '\n');
  return path.join(dir, 'data.csv');
}

test('extract and eval give the same report on an image CSV streamed or in memory', async () => {
  const modelPath = path.join(dir, 'net.onnx');
  fs.writeFileSync(modelPath, serializeModel(buildSmallCnn({ ...DEMO_CNN, blocks: DEMO_CNN.blocks.map((b) => ({ ...b, channels: b.channels / 4 })) })));
  const file = biasedMnistCsv();
  const options = (stream: boolean): ExtractJobOptions => ({
    modelPath,
    data: { kind: 'image-csv', file, seed: 0, stream, cacheMb: 1 },
    config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 25, tauPeriod: 1, maxEpochs: 1, auxEpochs: 1 },
    outDir: path.join(dir, stream ? 'streamed' : 'memory'),
    overwrite: false,
    randomSeeds: 1,
    probe: true,
    probeEpochs: 1,
    threads: 1,
  });
  const memory = (await runExtractJob(options(false), { onEvent: () => undefined })).report;
  const streamed = (await runExtractJob(options(true), { onEvent: () => undefined })).report;
  assert.equal(streamed.data.sha256, memory.data.sha256);
  assert.deepEqual(streamed.masks, memory.masks);
  assert.deepEqual(streamed.metrics, memory.metrics);
  assert.deepEqual(streamed.probe, memory.probe);
  assert.deepEqual(
    streamed.history.map(({ seconds: _s, ...rest }) => rest),
    memory.history.map(({ seconds: _s, ...rest }) => rest),
  );
  const evaluate = (stream: boolean) => runEvalJob({ modelPath, data: { kind: 'image-csv', file, seed: 0, stream }, split: 'test', threads: 1 });
  assert.deepEqual((await evaluate(true)).metrics, (await evaluate(false)).metrics);
});
