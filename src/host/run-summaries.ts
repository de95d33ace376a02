/**
 * The runs view's content without VS Code: a report folder as one line (kind, model, headline numbers, date), and
 * two reports side by side as Markdown (metrics with deltas, parameters and units, both mask heatmaps). Pure but
 * for `readRunSummary`, which reads and validates one report.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnyReport, isAuditReport, parseAnyReport } from '../core/report/audit-schema';
import type { EvalMetrics } from '../core/report/schema';
import { formatCount, formatPercent, formatPoints } from '../core/report/format';

export interface RunSummary {
  readonly reportPath: string;
  readonly kind: 'extraction' | 'audit';
  /** The model's file name and the run's kind, e.g. "model.onnx · extraction". */
  readonly label: string;
  /** Headline numbers: unbiased accuracy before → after and units removed, or an audit's accuracy and worst group. */
  readonly description: string;
  /** Longer text for the hover. */
  readonly tooltip: string;
  readonly createdAt: string;
}

/** A report.json that could not be read, with why (listed in the view so it is not silently missing). */
export interface UnreadableRun {
  readonly reportPath: string;
  readonly error: string;
}

export function summariseRun(report: AnyReport, reportPath: string): RunSummary {
  const model = path.basename(report.model.path.replace(/\\/g, '/'));
  const date = formatDate(report.createdAt);
  if (isAuditReport(report)) {
    const m = report.metrics;
    return {
      reportPath,
      kind: 'audit',
      label: `${model} · audit`,
      description: `unbiased ${formatPercent(m.unbiasedAccuracy)}, worst group ${formatPercent(m.worstGroupAccuracy)} · ${date}`,
      tooltip: `Audit of ${report.model.path} on ${report.data.name} (${formatCount(m.samples)} test samples), ${date}\n${reportPath}`,
      createdAt: report.createdAt,
    };
  }
  const { vanilla, subnetwork } = report.metrics;
  const { unitsBefore, unitsAfter } = report.pruning;
  return {
    reportPath,
    kind: 'extraction',
    label: `${model} · extraction`,
    description: `unbiased ${formatPercent(vanilla.unbiasedAccuracy)} → ${formatPercent(subnetwork.unbiasedAccuracy)}, ${formatCount(unitsBefore - unitsAfter)} of ${formatCount(unitsBefore)} units removed · ${date}`,
    tooltip:
      `BISE extraction of ${report.model.path} on ${report.data.name}, ${date}\n` +
      `unbiased ${formatPercent(vanilla.unbiasedAccuracy)} → ${formatPercent(subnetwork.unbiasedAccuracy)} (${formatPoints(subnetwork.unbiasedAccuracy - vanilla.unbiasedAccuracy)}), ` +
      `bias-conflicting ${formatPercent(vanilla.conflictingAccuracy)} → ${formatPercent(subnetwork.conflictingAccuracy)}\n${reportPath}`,
    createdAt: report.createdAt,
  };
}

/** Newest first; ties by path, so the order is stable. */
export function sortRuns(runs: readonly RunSummary[]): RunSummary[] {
  return [...runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.reportPath.localeCompare(b.reportPath));
}

export function readRunSummary(reportPath: string): RunSummary | UnreadableRun {
  try {
    return summariseRun(parseAnyReport(fs.readFileSync(reportPath, 'utf8'), reportPath), reportPath);
  } catch (e) {
    return { reportPath, error: (e as Error).message };
  }
}

export function isUnreadable(run: RunSummary | UnreadableRun): run is UnreadableRun {
  return 'error' in run;
}

/** "2026-03-14 09:26 UTC": the same text on every machine, as the reports themselves. */
function formatDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The model a report evaluates as the run's result: an extraction's subnetwork, the audited model. */
function resultMetrics(report: AnyReport): EvalMetrics {
  return isAuditReport(report) ? report.metrics : report.metrics.subnetwork;
}

export interface ComparedRun {
  readonly report: AnyReport;
  /** The folder that holds its report.json. */
  readonly folder: string;
}

/**
 * Two runs side by side as Markdown for a preview written at `outFile`: the result's accuracies with B − A in
 * points, the vanilla model's (extractions), units, parameters and FLOPs, and each run's mask heatmap linked
 * relative to `outFile` (a preview resolves relative links from the document's folder).
 */
export function compareRunsMarkdown(a: ComparedRun, b: ComparedRun, outFile: string): string {
  const name = (r: ComparedRun): string => `${path.basename(r.report.model.path.replace(/\\/g, '/'))} (${isAuditReport(r.report) ? 'audit' : 'extraction'}, ${formatDate(r.report.createdAt)})`;
  const rows: string[][] = [];
  const accuracy = (label: string, pick: (m: EvalMetrics) => number, metricsOf: (r: AnyReport) => EvalMetrics | null): void => {
    const [ma, mb] = [metricsOf(a.report), metricsOf(b.report)];
    const [va, vb] = [ma ? pick(ma) : NaN, mb ? pick(mb) : NaN];
    rows.push([label, formatPercent(va), formatPercent(vb), Number.isFinite(va) && Number.isFinite(vb) ? formatPoints(vb - va) : '—']);
  };
  const result = (r: AnyReport): EvalMetrics => resultMetrics(r);
  const vanilla = (r: AnyReport): EvalMetrics | null => (isAuditReport(r) ? null : r.metrics.vanilla);
  accuracy('unbiased accuracy', (m) => m.unbiasedAccuracy, result);
  accuracy('bias-aligned accuracy', (m) => m.alignedAccuracy, result);
  accuracy('bias-conflicting accuracy', (m) => m.conflictingAccuracy, result);
  accuracy('worst-group accuracy', (m) => m.worstGroupAccuracy, result);
  accuracy('vanilla model, unbiased accuracy', (m) => m.unbiasedAccuracy, vanilla);
  const count = (label: string, pick: (r: AnyReport) => number | null): void => {
    const [va, vb] = [pick(a.report), pick(b.report)];
    const delta = va !== null && vb !== null ? `${vb - va > 0 ? '+' : vb - va < 0 ? '−' : '±'}${formatCount(Math.abs(vb - va))}` : '—';
    rows.push([label, va === null ? '—' : formatCount(va), vb === null ? '—' : formatCount(vb), delta]);
  };
  count('units kept', (r) => (isAuditReport(r) ? null : r.pruning.unitsAfter));
  count('parameters', (r) => (isAuditReport(r) ? null : r.pruning.paramsAfter));
  count('FLOPs', (r) => (isAuditReport(r) ? null : r.pruning.flopsAfter));
  const table = [
    `| | A: ${escapeCell(name(a))} | B: ${escapeCell(name(b))} | B − A |`,
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
  ];
  const heatmap = (r: ComparedRun, letter: string): string => {
    const file = isAuditReport(r.report) ? undefined : r.report.outputs.figures.find((f) => f.endsWith('mask-heatmap.svg'));
    if (!file) return `### ${letter}\n\n${isAuditReport(r.report) ? 'An audit learns no masks.' : 'No mask heatmap in this report.'}`;
    const link = path.relative(path.dirname(outFile), path.join(r.folder, file)).split(path.sep).join('/');
    return `### ${letter}\n\n![${letter}: mask logits per layer](${encodeURI(link)})`;
  };
  return [
    `# ${escapeCell(name(a))} vs ${escapeCell(name(b))}`,
    '',
    `A: ${a.folder}  \nB: ${b.folder}`,
    '',
    'Accuracies are on each run\'s unbiased test split (an extraction\'s subnetwork, an audit\'s model); compare runs on the same data.',
    '',
    ...table,
    '',
    '## Masks',
    '',
    heatmap(a, 'A'),
    '',
    heatmap(b, 'B'),
    '',
  ].join('\n');
}

/** Table cells: a pipe or a line break in a name must not break the row. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}
