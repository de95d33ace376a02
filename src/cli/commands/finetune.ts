import * as path from 'node:path';
import { testAccuracyLines } from './train-summary';
import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runTrainJob } from '../../core/jobs/train-job';
import { trainingFlags, trainConfig } from './training-flags';
import { DATA_FLAGS, MEMORY_FLAG, RUNTIME_FLAGS, dataSpec, runtimeOptions } from './shared-flags';
import { TEXT_FLAGS } from './text-flags';

export const finetuneCommand = defineCommand({
  name: 'finetune',
  summary: 'BISE+FT: finetune the remaining weights of a pruned subnetwork (<name>.bise.onnx) with the group-reweighted loss',
  spec: defineSpec({
    positionals: [{ name: 'model', type: 'path', required: true, help: 'the pruned model written by bise extract' }],
    flags: [
      { name: 'out', type: 'path', help: 'where to write the finetuned model (default: <model>.ft.onnx next to it)' },
      ...trainingFlags({ epochs: 10, lr: 0.002, lrHelp: 'learning rate (the reweighted loss weighs conflicting samples up to ~30×: keep it small)', schedule: 'cosine' }),
      { name: 'plain', type: 'boolean', help: 'plain cross-entropy instead of the group-reweighted loss' },
      ...DATA_FLAGS,
      ...TEXT_FLAGS,
      ...RUNTIME_FLAGS,
      MEMORY_FLAG,
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
        config: trainConfig(f, !f.plain),
        out,
        overwrite: f.overwrite,
        commandLine: `bise finetune ${argv.join(' ')}`,
        ...runtimeOptions(f),
        memoryMb: f.memoryMb,
      },
      ctx,
    );
    ctx.reporter.print([`wrote ${result.out}`, ...testAccuracyLines(result)].join('\n'));
    return result;
  });
}
