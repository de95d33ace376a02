import * as path from 'node:path';
import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runExtractJob } from '../../core/jobs/extract-job';
import { DEMO } from '../../core/jobs/demo-setting';
import { printExtraction } from './extract';
import { RUNTIME_FLAGS, runtimeOptions } from './shared-flags';

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'BISE on the bundled BiasedMNIST CNN with a schedule that fits in a few minutes; writes ./bise-demo/',
  spec: defineSpec({
    flags: [
      { name: 'out', type: 'path', default: 'bise-demo', help: 'report folder (replaced when it already holds a report)' },
      { name: 'seed', type: 'integer', default: 0, help: 'seed of the mask learning' },
      ...RUNTIME_FLAGS,
    ],
  }),
});

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(demoCommand, argv, async (ctx) => {
    const f = ctx.flags;
    ctx.reporter.notice(`demo: ${path.relative(process.cwd(), DEMO.modelPath)} on BiasedMNIST ρ=${DEMO.data.rho} (${DEMO.summary})`);
    const result = await runExtractJob(
      { ...DEMO.job, modelPath: DEMO.modelPath, data: DEMO.data, config: { ...DEMO.job.config, seed: f.seed }, outDir: f.out, overwrite: true, ...runtimeOptions(f) },
      ctx,
    );
    return printExtraction(ctx.reporter, result);
  });
}
