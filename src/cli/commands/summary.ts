/** The few lines a person reads at the end of a run, and the same facts as JSON. */
import { ExtractJobResult } from '../../core/jobs/extract-job';
import { percent } from './shared-flags';

/** With several bias attributes (the table above splits by the first): each one's split, vanilla → subnetwork. */
function perAttributeLines(r: ExtractJobResult): string[] {
  const names = r.report.data.biasAttributes;
  const [v, s] = [r.report.metrics.vanilla.perBias, r.report.metrics.subnetwork.perBias];
  if (names.length < 2 || !v || !s) return [];
  return names.map((name, k) => `  ${name}: aligned ${percent(v[k].alignedAccuracy)} → ${percent(s[k].alignedAccuracy)}, conflicting ${percent(v[k].conflictingAccuracy)} → ${percent(s[k].conflictingAccuracy)}`);
}

export function summarizeExtraction(r: ExtractJobResult): { text: string; json: object } {
  const { metrics, pruning, probe } = r.report;
  const v = metrics.vanilla;
  const s = metrics.subnetwork;
  const rows: [string, typeof v][] = [['vanilla', v], ['subnetwork', s], ...metrics.baselines.map((b) => [b.name, b.metrics] as [string, typeof v])];
  const table = rows.map(([name, m]) => `  ${name.padEnd(12)} ${percent(m.unbiasedAccuracy).padStart(7)} ${percent(m.alignedAccuracy).padStart(8)} ${percent(m.conflictingAccuracy).padStart(12)} ${percent(m.worstGroupAccuracy).padStart(12)}`);
  const removed = (before: number, after: number): string => `${percent(before > 0 ? (before - after) / before : 0)} (${before.toLocaleString('en-US')} → ${after.toLocaleString('en-US')})`;
  const baseline = r.report.config.baseline;
  const lines = [
    ...(typeof baseline === 'string' ? [`baseline, not BISE: ${baseline} pruning at the per-layer sparsity of ${String(r.report.config.baselineLike)} (no mask learned); "subnetwork" below is this baseline`] : []),
    `unbiased test accuracy: ${percent(v.unbiasedAccuracy)} → ${percent(s.unbiasedAccuracy)} (${((s.unbiasedAccuracy - v.unbiasedAccuracy) * 100).toFixed(1)} points)`,
    `  ${'model'.padEnd(12)} ${'unbiased'.padStart(7)} ${'aligned'.padStart(8)} ${'conflicting'.padStart(12)} ${'worst group'.padStart(12)}`,
    ...table,
    ...perAttributeLines(r),
    `units removed: ${removed(pruning.unitsBefore, pruning.unitsAfter)}`,
    `parameters removed: ${removed(pruning.paramsBefore, pruning.paramsAfter)}`,
    `FLOPs removed: ${removed(pruning.flopsBefore, pruning.flopsAfter)}`,
  ];
  if (probe) {
    lines.push(`bias probe on z (linear / MLP, chance ${percent(probe.vanilla.chance)}): vanilla ${percent(probe.vanilla.linearAccuracy)} / ${percent(probe.vanilla.mlpAccuracy)} → subnetwork ${percent(probe.subnetwork.linearAccuracy)} / ${percent(probe.subnetwork.mlpAccuracy)}`);
  }
  lines.push(`report: ${r.folder}`);
  return {
    text: lines.join('\n'),
    json: { folder: r.folder, files: r.files, metrics, units: { before: pruning.unitsBefore, after: pruning.unitsAfter }, params: { before: pruning.paramsBefore, after: pruning.paramsAfter }, flops: { before: pruning.flopsBefore, after: pruning.flopsAfter }, probe },
  };
}
