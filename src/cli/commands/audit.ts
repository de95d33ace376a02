import { defineCommand } from '../infra/command';
import { defineSpec } from '../infra/flag-spec';
import { runCommand } from '../infra/run-command';
import { runAuditJob, AuditJobResult } from '../../core/jobs/audit-job';
import type { FairnessRecord } from '../../core/report/audit-schema';
import { fairnessModeText } from '../../core/report/audit-markdown';
import { cellCode } from '../../core/report/markdown-per-bias';
import { DATA_FLAGS, RUNTIME_FLAGS, dataSpec, percent, runtimeOptions } from './shared-flags';

export const auditCommand = defineCommand({
  name: 'audit',
  summary: 'quick bias audit of MODEL, no mask learning: accuracy per group, Fairlearn fairness metrics per bias attribute, bias probe per layer; writes a report folder',
  spec: defineSpec({
    positionals: [{ name: 'model', type: 'path', required: true, help: 'an ONNX classifier (never modified)' }],
    flags: [
      { name: 'probe', type: 'boolean', default: true, help: "run the latent bias probe per layer (--no-probe audits any classifier, even one whose units BISE cannot find)" },
      { name: 'probe-epochs', type: 'integer', default: 30, min: 1, help: 'training epochs of the probes' },
      { name: 'seed', type: 'integer', default: 0, help: 'probe seed' },
      { name: 'bottleneck', type: 'string', help: 'tensor name of the bottleneck z (default: the classifier’s input, detected)' },
      { name: 'out', type: 'path', help: 'report folder (default: <model folder>/<model name>.audit)' },
      { name: 'overwrite', type: 'boolean', help: 'replace an existing report folder' },
      ...DATA_FLAGS,
      ...RUNTIME_FLAGS,
    ],
  }),
});

const decimal = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

function fairnessLine(f: FairnessRecord): string {
  const at = (pick: (c: FairnessRecord['perClass'][number]) => number): string => {
    if (f.mode === 'binary') return '';
    const worst = f.perClass.reduce((a, c) => (pick(c) > pick(a) ? c : a));
    return ` (class ${worst.positiveClass})`;
  };
  const w = f.worst;
  return (
    `fairness by ${f.attribute} [${fairnessModeText(f)}]: demographic parity difference ${decimal(w.demographicParityDifference)}${at((c) => c.demographicParityDifference)}, ` +
    `ratio ${decimal(w.demographicParityRatio)}, equalized odds difference ${decimal(w.equalizedOddsDifference)}${at((c) => c.equalizedOddsDifference)}`
  );
}

/** The audit as text lines (what `bise audit` prints). */
export function describeAudit(modelPath: string, r: AuditJobResult): string[] {
  const { report } = r;
  const m = report.metrics;
  const attributes = report.data.biasAttributes;
  const probe = report.probe;
  return [
    `audit of ${modelPath} on the test split (${m.samples} samples) of ${report.data.name}`,
    `accuracy: unbiased ${percent(m.unbiasedAccuracy)}  aligned ${percent(m.alignedAccuracy)}  conflicting ${percent(m.conflictingAccuracy)}  worst group ${percent(m.worstGroupAccuracy)}`,
    ...(attributes.length > 1 && m.perBias ? m.perBias.map((b, k) => `  ${attributes[k]}: aligned ${percent(b.alignedAccuracy)} (${b.alignedSamples})  conflicting ${percent(b.conflictingAccuracy)} (${b.conflictingSamples})`) : []),
    ...(m.alignmentCells ? [`  aligned (A) / conflicting (C) by ${attributes.join(', ')}: ${m.alignmentCells.map((c) => `${cellCode(c)} ${c.samples > 0 ? percent(c.accuracy) : '—'} (${c.samples})`).join('  ')}`] : []),
    `per class: ${m.perClassAccuracy.map((a, k) => `${k}: ${percent(a)}`).join('  ')}`,
    ...report.fairness.map(fairnessLine),
    ...(probe
      ? [
          `bias probe (${attributes[0]}): bottleneck linear ${percent(probe.linearAccuracy)}, MLP ${percent(probe.mlpAccuracy)}, MI ${probe.mutualInformation.toFixed(3)} (chance ${percent(probe.chance)})`,
          ...probe.perLayer.map((l) => `  ${l.label}: ${percent(l.accuracy)}`),
          ...(probe.perBias ?? []).map((b) => `bias probe (${attributes[b.attribute]}): bottleneck linear ${percent(b.linearAccuracy)}, MLP ${percent(b.mlpAccuracy)} (chance ${percent(b.chance)})`),
        ]
      : ['bias probe: not run (--no-probe)']),
    `report: ${r.folder} (report.md, report.json, ${report.outputs.figures.length} figures) in ${report.timings.totalSeconds.toFixed(1)} s`,
  ];
}

export function main(argv: readonly string[]): Promise<number> {
  return runCommand(auditCommand, argv, async (ctx) => {
    const f = ctx.flags;
    const r = await runAuditJob(
      {
        modelPath: ctx.args.model,
        data: dataSpec(f),
        outDir: f.out,
        overwrite: f.overwrite,
        probe: f.probe,
        probeEpochs: f.probeEpochs,
        seed: f.seed,
        bottleneck: f.bottleneck,
        ...runtimeOptions(f),
      },
      ctx,
    );
    ctx.reporter.print(describeAudit(ctx.args.model, r).join('\n'));
    return { folder: r.folder, files: r.files, metrics: r.report.metrics, fairness: r.report.fairness, probe: r.report.probe };
  });
}
