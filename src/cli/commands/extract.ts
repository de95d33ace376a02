import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runExtractJob, ExtractJobResult } from '../../core/jobs/extract-job';
import { DATA_FLAGS, RUNTIME_FLAGS, dataSpec, runtimeOptions } from './shared-flags';
import { EXTRACT_FLAGS, extractConfig } from './extract-flags';
import { summarizeExtraction } from './summary';
import type { Reporter } from '../infra/reporter';

export const extractCommand = defineCommand({
  name: 'extract',
  summary: 'learn the BISE masks of MODEL, measure and physically prune the unbiased subnetwork, and write the report folder',
  spec: defineSpec({
    positionals: [{ name: 'model', type: 'path', required: true, help: 'the vanilla ONNX model (never modified)' }],
    flags: [...EXTRACT_FLAGS, ...DATA_FLAGS, ...RUNTIME_FLAGS],
  }),
});

export function printExtraction(reporter: Reporter, result: ExtractJobResult): object {
  const summary = summarizeExtraction(result);
  reporter.print(summary.text);
  return summary.json;
}

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(extractCommand, argv, async (ctx) => {
    const f = ctx.flags;
    const result = await runExtractJob(
      {
        modelPath: ctx.args.model,
        data: dataSpec(f),
        config: extractConfig(f),
        outDir: f.out,
        overwrite: f.overwrite,
        bottleneck: f.bottleneck,
        randomSeeds: f.randomSeeds,
        probe: f.probe,
        probeEpochs: f.probeEpochs,
        biasFrom: f.biasFrom,
        biasNoise: f.biasNoise,
        ...runtimeOptions(f),
      },
      ctx,
    );
    return printExtraction(ctx.reporter, result);
  });
}
