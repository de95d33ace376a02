/** The rows shared by report.md's tables and the figures: which models are compared, probe layers matched up. */
import type { BiseReport, EvalMetrics, ProbeResult } from './schema';

/** The models of the comparison in table order, with display names. */
export function comparedModels(metrics: BiseReport['metrics']): { name: string; metrics: EvalMetrics }[] {
  return [
    { name: 'vanilla', metrics: metrics.vanilla },
    { name: 'BISE subnetwork', metrics: metrics.subnetwork },
    ...metrics.baselines.map((b) => ({ name: b.seeds && b.seeds > 1 ? `${b.name} (${b.seeds} seeds)` : b.name, metrics: b.metrics })),
  ];
}

export interface ProbeLayerRow {
  site: string;
  label: string;
  /** Null where only the other probe measured this site. */
  vanilla: number | null;
  subnetwork: number | null;
}

/** Per-layer rows of both probes matched by site, in vanilla's order, then sites only the subnetwork has. */
export function probeLayers(vanilla: ProbeResult, subnetwork: ProbeResult): ProbeLayerRow[] {
  const rows = new Map<string, ProbeLayerRow>();
  for (const l of vanilla.perLayer) rows.set(l.site, { site: l.site, label: l.label, vanilla: l.accuracy, subnetwork: null });
  for (const l of subnetwork.perLayer) {
    const r = rows.get(l.site);
    if (r) r.subnetwork = l.accuracy;
    else rows.set(l.site, { site: l.site, label: l.label, vanilla: null, subnetwork: l.accuracy });
  }
  return [...rows.values()];
}
