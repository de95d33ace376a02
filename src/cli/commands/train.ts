import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runTrainJob } from '../../core/jobs/train-job';
import { DEFAULT_TRAIN_CONFIG as D } from '../../core/bise/train';
import { DATA_FLAGS, RUNTIME_FLAGS, dataSpec, percent, runtimeOptions } from './shared-flags';

export const trainCommand = defineCommand({
  name: 'train',
  summary: "train a model's weights on a built-in dataset (a fresh built-in CNN, or --model to continue from an ONNX file)",
  spec: defineSpec({
    flags: [
      { name: 'out', type: 'path', required: true, help: 'where to write the trained ONNX model (atomically; never over --model)' },
      { name: 'model', type: 'path', help: 'start from this ONNX model instead of a fresh --architecture' },
      { name: 'architecture', type: 'enum', choices: ['demo-cnn', 'simple-convnet'], default: 'demo-cnn', help: 'built-in CNN to train from scratch' },
      { name: 'epochs', type: 'integer', default: D.epochs, min: 1, help: 'training epochs' },
      { name: 'batch-size', type: 'integer', default: D.batchSize, min: 1, help: 'batch size' },
      { name: 'optimizer', type: 'enum', choices: ['sgd', 'adam'], default: D.optimizer, help: 'optimizer' },
      { name: 'lr', type: 'number', default: D.lr, min: 0, help: 'learning rate' },
      { name: 'momentum', type: 'number', default: D.momentum, min: 0, max: 1, help: 'SGD momentum' },
      { name: 'weight-decay', type: 'number', default: D.weightDecay, min: 0, help: 'weight decay' },
      { name: 'schedule', type: 'enum', choices: ['constant', 'cosine'], default: D.schedule, help: 'learning-rate schedule' },
      { name: 'reweighted', type: 'boolean', help: 'group-reweighted cross-entropy (as BISE+FT), instead of plain' },
      { name: 'seed', type: 'integer', default: D.seed, help: 'seed of initialisation and batch order' },
      { name: 'overwrite', type: 'boolean', help: 'replace --out if it exists' },
      ...DATA_FLAGS,
      ...RUNTIME_FLAGS,
    ],
  }),
});

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(trainCommand, argv, async (ctx) => {
    const f = ctx.flags;
    const result = await runTrainJob(
      {
        modelPath: f.model,
        architecture: f.architecture,
        data: dataSpec(f),
        config: { seed: f.seed, epochs: f.epochs, batchSize: f.batchSize, optimizer: f.optimizer, lr: f.lr, momentum: f.momentum, weightDecay: f.weightDecay, schedule: f.schedule, reweighted: f.reweighted },
        out: f.out,
        overwrite: f.overwrite,
        commandLine: `bise train ${argv.join(' ')}`,
        ...runtimeOptions(f),
      },
      ctx,
    );
    const t = result.test;
    ctx.reporter.print(
      [`wrote ${result.out} (${result.seconds.toFixed(0)} s, ${result.msPerStep.toFixed(1)} ms/step)`, `unbiased test accuracy ${percent(t.unbiasedAccuracy)} (aligned ${percent(t.alignedAccuracy)}, conflicting ${percent(t.conflictingAccuracy)})`].join('\n'),
    );
    return result;
  });
}
