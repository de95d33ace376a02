import * as path from 'node:path';
import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runTrainJob } from '../../core/jobs/train-job';
import { DEFAULT_TRAIN_CONFIG as D } from '../../core/bise/train';
import { DATA_FLAGS, RUNTIME_FLAGS, dataSpec, percent, runtimeOptions } from './shared-flags';

export const finetuneCommand = defineCommand({
  name: 'finetune',
  summary: 'BISE+FT: finetune the remaining weights of a pruned subnetwork (<name>.bise.onnx) with the group-reweighted loss',
  spec: defineSpec({
    positionals: [{ name: 'model', type: 'path', required: true, help: 'the pruned model written by bise extract' }],
    flags: [
      { name: 'out', type: 'path', help: 'where to write the finetuned model (default: <model>.ft.onnx next to it)' },
      { name: 'epochs', type: 'integer', default: 10, min: 1, help: 'finetuning epochs' },
      { name: 'batch-size', type: 'integer', default: D.batchSize, min: 1, help: 'batch size' },
      { name: 'optimizer', type: 'enum', choices: ['sgd', 'adam'], default: D.optimizer, help: "optimizer (use the vanilla model's)" },
      { name: 'lr', type: 'number', default: 0.002, min: 0, help: 'learning rate (the reweighted loss weighs conflicting samples up to ~30×: keep it small)' },
      { name: 'momentum', type: 'number', default: D.momentum, min: 0, max: 1, help: 'SGD momentum' },
      { name: 'weight-decay', type: 'number', default: D.weightDecay, min: 0, help: 'weight decay' },
      { name: 'schedule', type: 'enum', choices: ['constant', 'cosine'], default: 'cosine', help: 'learning-rate schedule' },
      { name: 'plain', type: 'boolean', help: 'plain cross-entropy instead of the group-reweighted loss' },
      { name: 'seed', type: 'integer', default: 0, help: 'seed of batch order' },
      { name: 'overwrite', type: 'boolean', help: 'replace --out if it exists' },
      ...DATA_FLAGS,
      ...RUNTIME_FLAGS,
    ],
  }),
});

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(finetuneCommand, argv, async (ctx) => {
    const f = ctx.flags;
    const parsed = path.parse(ctx.args.model);
    const out = f.out ?? path.join(parsed.dir, `${parsed.name}.ft.onnx`);
    const result = await runTrainJob(
      {
        modelPath: ctx.args.model,
        architecture: 'demo-cnn',
        data: dataSpec(f),
        config: { seed: f.seed, epochs: f.epochs, batchSize: f.batchSize, optimizer: f.optimizer, lr: f.lr, momentum: f.momentum, weightDecay: f.weightDecay, schedule: f.schedule, reweighted: !f.plain },
        out,
        overwrite: f.overwrite,
        commandLine: `bise finetune ${argv.join(' ')}`,
        ...runtimeOptions(f),
      },
      ctx,
    );
    const t = result.test;
    ctx.reporter.print(`wrote ${result.out}\nunbiased test accuracy ${percent(t.unbiasedAccuracy)} (aligned ${percent(t.alignedAccuracy)}, conflicting ${percent(t.conflictingAccuracy)})`);
    return result;
  });
}
