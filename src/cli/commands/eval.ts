import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runEvalJob } from '../../core/jobs/eval-job';
import { cellCode } from '../../core/report/markdown-per-bias';
import { TEXT_FLAGS } from './text-flags';
import { DATA_FLAGS, RUNTIME_FLAGS, dataSpec, percent, runtimeOptions } from './shared-flags';

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'accuracy of MODEL on a built-in dataset split: unbiased, bias-aligned, bias-conflicting, worst group, per class',
  spec: defineSpec({
    positionals: [{ name: 'model', type: 'path', required: true, help: 'an ONNX classifier (e.g. a vanilla model or a pruned <name>.bise.onnx)' }],
    flags: [{ name: 'split', type: 'enum', choices: ['test', 'val', 'train'], default: 'test', help: 'which split to evaluate' }, ...DATA_FLAGS, ...TEXT_FLAGS, ...RUNTIME_FLAGS],
  }),
});

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(evalCommand, argv, async (ctx) => {
    const f = ctx.flags;
    const r = await runEvalJob({ modelPath: ctx.args.model, data: dataSpec(f), split: f.split, ...runtimeOptions(f) });
    const m = r.metrics;
    ctx.reporter.print(
      [
        `${ctx.args.model} on the ${r.split} split (${m.samples} samples) of ${r.data}`,
        `unbiased ${percent(m.unbiasedAccuracy)}  aligned ${percent(m.alignedAccuracy)}  conflicting ${percent(m.conflictingAccuracy)}  worst group ${percent(m.worstGroupAccuracy)}`,
        ...(r.biasAttributes.length > 1 && m.perBias
          ? m.perBias.map((b, k) => `${r.biasAttributes[k]}: aligned ${percent(b.alignedAccuracy)} (${b.alignedSamples})  conflicting ${percent(b.conflictingAccuracy)} (${b.conflictingSamples})`)
          : []),
        ...(m.alignmentCells ? [`aligned (A) / conflicting (C) by ${r.biasAttributes.join(', ')}: ${m.alignmentCells.map((c) => `${cellCode(c)} ${c.samples > 0 ? percent(c.accuracy) : '—'} (${c.samples})`).join('  ')}`] : []),
        `per class: ${m.perClassAccuracy.map((a, k) => `${k}: ${percent(a)}`).join('  ')}`,
      ].join('\n'),
    );
    return r;
  });
}
