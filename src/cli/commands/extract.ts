import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runExtractJob, ExtractJobResult } from '../../core/jobs/extract-job';
import { TEXT_FLAGS } from './text-flags';
import { DATA_FLAGS, MEMORY_FLAG, RUNTIME_FLAGS, UNITS_FLAG, dataSpec, runtimeOptions } from './shared-flags';
import { EXTRACT_FLAGS, extractConfig } from './extract-flags';
import { summarizeExtraction } from './summary';
import type { Reporter } from '../infra/reporter';
import { UsageError } from '../infra/usage-error';
import { BASELINE_KINDS, BaselineKind, BaselineSpec } from '../../core/jobs/baseline-subnetwork';

/** `extract` only (not `demo`): a random or magnitude subnetwork at a BISE run's per-layer sparsity, no learning. */
const BASELINE_FLAGS = [
  { name: 'baseline', type: 'enum', choices: ['none', ...BASELINE_KINDS], default: 'none', help: "instead of learning masks, keep units at random (--seed) or by weight magnitude (L1), as many per layer as the --like run; measured, pruned and reported like a BISE subnetwork" },
  { name: 'like', type: 'path', help: 'with --baseline: a bise extract report folder (or its masks.json) on the same model, whose per-layer kept-unit counts the baseline copies' },
] as const;

function baselineSpec(baseline: 'none' | BaselineKind, like: string | undefined): BaselineSpec | undefined {
  if (baseline === 'none') {
    if (like !== undefined) throw new UsageError('--like only goes with --baseline random|magnitude');
    return undefined;
  }
  if (like === undefined) throw new UsageError(`--baseline ${baseline} needs --like <report folder or masks.json> of a bise extract run on this model (its per-layer sparsity is copied)`);
  return { kind: baseline, like };
}

export const extractCommand = defineCommand({
  name: 'extract',
  summary: 'learn the BISE masks of MODEL, measure and physically prune the unbiased subnetwork, and write the report folder',
  spec: defineSpec({
    positionals: [{ name: 'model', type: 'path', required: true, help: 'the vanilla ONNX model (never modified)' }],
    flags: [...EXTRACT_FLAGS, UNITS_FLAG, ...BASELINE_FLAGS, ...DATA_FLAGS, ...TEXT_FLAGS, ...RUNTIME_FLAGS, MEMORY_FLAG],
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
    const baseline = baselineSpec(f.baseline, f.like);
    const result = await runExtractJob(
      {
        modelPath: ctx.args.model,
        data: dataSpec(f),
        config: extractConfig(f),
        outDir: f.out,
        overwrite: f.overwrite,
        bottleneck: f.bottleneck,
        units: f.units,
        randomSeeds: f.randomSeeds,
        probe: f.probe,
        probeEpochs: f.probeEpochs,
        biasFrom: f.biasFrom,
        biasNoise: f.biasNoise,
        baseline,
        ...runtimeOptions(f),
        memoryMb: f.memoryMb,
      },
      ctx,
    );
    return printExtraction(ctx.reporter, result);
  });
}
