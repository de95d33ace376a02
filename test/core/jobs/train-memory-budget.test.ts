/**
 * `bise train --memory-mb` (and finetune, which runs the same job): the training step's sessions are chosen by the
 * memory budget as the mask step's are, the choice is logged, and a lean configuration trains to the same numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTrainJob, TrainJobOptions } from '../../../src/core/jobs/train-job';
import { DEFAULT_TRAIN_CONFIG } from '../../../src/core/bise/train';
import { JobEvent } from '../../../src/core/bise/events';
import { parseFlags } from '../../../src/cli/infra/flags';
import { trainCommand } from '../../../src/cli/commands/train';
import { finetuneCommand } from '../../../src/cli/commands/finetune';

function options(dir: string, memoryMb: number | undefined): TrainJobOptions {
  return {
    architecture: 'demo-cnn',
    data: { kind: 'biased-mnist', rho: 0.5, seed: 2, trainSize: 300, valSize: 100, testSize: 100 },
    config: { ...DEFAULT_TRAIN_CONFIG, epochs: 2, lr: 0.05, batchSize: 50 },
    out: path.join(dir, `trained-${memoryMb ?? 'auto'}.onnx`),
    overwrite: false,
    threads: 1,
    ...(memoryMb !== undefined && { memoryMb }),
  };
}

async function train(dir: string, memoryMb: number | undefined): Promise<{ logs: string[]; epochs: Extract<JobEvent, { type: 'train-epoch' }>[] }> {
  const logs: string[] = [];
  const epochs: Extract<JobEvent, { type: 'train-epoch' }>[] = [];
  await runTrainJob(options(dir, memoryMb), {
    onEvent: (e) => {
      if (e.type === 'log') logs.push(e.message);
      if (e.type === 'train-epoch') epochs.push(e);
    },
  });
  return { logs, epochs };
}

test('under a 1 MiB budget training logs the leanest configuration and trains to the numbers of the default budget', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-train-budget-'));
  const free = await train(dir, undefined);
  const tight = await train(dir, 1);
  assert.ok(free.logs.some((m) => /^memory budget [\d,]+ MiB: the fastest configuration fits/.test(m)), free.logs.join('\n'));
  // The demo CNN's step is one fused session, which keeps onnxruntime's arena (training-memory-budget.ts).
  assert.ok(tight.logs.some((m) => /^memory budget 1 MiB: .*none fits; chose the leanest, every conv and its gradients direct, .*memory arena on/.test(m)), tight.logs.join('\n'));
  assert.equal(tight.epochs.length, 2);
  assert.ok(tight.epochs[1].loss < tight.epochs[0].loss, `loss ${tight.epochs[0].loss} -> ${tight.epochs[1].loss}`);
  // The configurations compute the same step up to float32 rounding.
  for (const [a, b] of free.epochs.map((e, i) => [e, tight.epochs[i]] as const)) {
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-3 * Math.abs(a.loss), `epoch ${a.epoch}: loss ${a.loss} vs ${b.loss}`);
    assert.ok(Math.abs(a.trainAccuracy - b.trainAccuracy) <= 0.01, `epoch ${a.epoch}: train accuracy ${a.trainAccuracy} vs ${b.trainAccuracy}`);
  }
});

test('train and finetune take --memory-mb, a whole number of MiB ≥ 1', () => {
  assert.equal(parseFlags(trainCommand.spec, ['--out', 'm.onnx', '--memory-mb', '512']).flags.memoryMb, 512);
  assert.equal(parseFlags(trainCommand.spec, ['--out', 'm.onnx']).flags.memoryMb, undefined);
  assert.equal(parseFlags(finetuneCommand.spec, ['m.bise.onnx', '--memory-mb', '256']).flags.memoryMb, 256);
  assert.throws(() => parseFlags(finetuneCommand.spec, ['m.bise.onnx', '--memory-mb', '0']), /--memory-mb/);
});
