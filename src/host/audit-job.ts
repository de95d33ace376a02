/**
 * "BISE: Audit Model for Bias" without VS Code: which datasets to offer, the audit job built from the same
 * form values (and checks) as an extraction's, and the words of the notification when it is done.
 */
import * as path from 'node:path';
import type { AuditJobSpec, AuditSummary, ExecutionProvider } from '../protocol/jobs';
import type { FieldError, FormValues } from '../protocol/webview-messages';
import type { DetectedDataset } from './datasets';
import { buildExtractJob } from './form';

/** The datasets an audit can use, the saved choice's first (so Enter repeats it). */
export function auditDatasets(found: readonly DetectedDataset[], savedId: string | null): DetectedDataset[] {
  const usable = found.filter((d) => d.option.supported);
  const saved = usable.filter((d) => d.option.id === savedId);
  return [...saved, ...usable.filter((d) => d.option.id !== savedId)];
}

export interface AuditContext {
  readonly modelPath: string;
  readonly datasets: readonly DetectedDataset[];
  readonly providers: readonly ExecutionProvider[];
  readonly outDir: string;
}

/**
 * The audit of `form` with `datasetId`: sizes, ρ, CSV columns, provider, threads, bottleneck, probe epochs and
 * seed as the extraction form has them (so a saved choice audits the data it extracts on), checked by the same rules.
 */
export function buildAuditJob(form: FormValues, datasetId: string, ctx: AuditContext): { ok: true; job: AuditJobSpec } | { ok: false; errors: FieldError[] } {
  const built = buildExtractJob({ ...form, dataset: datasetId, probe: true }, ctx);
  if (!built.ok) return built;
  const j = built.job;
  return {
    ok: true,
    job: {
      kind: 'audit',
      modelPath: ctx.modelPath,
      data: j.data,
      outDir: ctx.outDir,
      ...(j.bottleneck !== undefined ? { bottleneck: j.bottleneck } : {}),
      provider: j.provider,
      ...(j.threads !== undefined ? { threads: j.threads } : {}),
      probe: true,
      probeEpochs: j.probeEpochs,
      seed: j.config.seed,
    },
  };
}

/** An audit's run folder in the extension's storage: the extraction's name with `.audit`. */
export function auditRunFolder(runFolder: string): string {
  return `${runFolder}.audit`;
}

/** Where "Export into the Repo" puts an audit: beside the model's extraction export, `<model>.audit`. */
export function auditExportFolder(extractionExportFolder: string): string {
  return path.join(path.dirname(extractionExportFolder), `${path.basename(extractionExportFolder)}.audit`);
}

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The one-line result of an audit for the notification and the log. */
export function auditMessage(s: AuditSummary): string {
  const probe = s.probeAccuracy !== null && s.probeChance !== null ? `, bias probe ${percent(s.probeAccuracy)} (chance ${percent(s.probeChance)})` : '';
  return (
    `unbiased accuracy ${percent(s.unbiasedAccuracy)}, worst group ${percent(s.worstGroupAccuracy)}; ` +
    `demographic parity difference ${s.demographicParityDifference.toFixed(2)}, equalized odds difference ${s.equalizedOddsDifference.toFixed(2)}${probe}; ${s.seconds.toFixed(0)} s`
  );
}
