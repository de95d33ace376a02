/**
 * Tables and plots over several reports (docs/RESULTS.md): reports grouped by a swept setting (γ, bias-label
 * noise, ρ), each measure averaged over the group's runs (seeds) with its sample standard deviation.
 */
import type { BiseReport, EvalMetrics } from './schema';

export interface Stat {
  readonly mean: number;
  /** Sample standard deviation; 0 for a single run. */
  readonly sd: number;
  readonly n: number;
}

export interface SweepPoint {
  readonly x: number;
  readonly runs: number;
  readonly seeds: number[];
  readonly vanilla: Stat;
  readonly subnetwork: { readonly unbiased: Stat; readonly aligned: Stat; readonly conflicting: Stat; readonly worstGroup: Stat };
  /** Unbiased accuracy of each baseline, by name. */
  readonly baselines: Readonly<Record<string, Stat>>;
  /** Fractions removed by pruning. */
  readonly unitsRemoved: Stat;
  readonly paramsRemoved: Stat;
  readonly flopsRemoved: Stat;
  /** Linear bias probe on z of the subnetwork (null where no run had a probe). */
  readonly probe: Stat | null;
  readonly vanillaProbe: Stat | null;
  readonly seconds: Stat;
}

export function stat(values: readonly number[]): Stat {
  const n = values.length;
  if (n === 0) throw new Error('expected at least one value to summarise');
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

const removed = (before: number, after: number): number => (before > 0 ? (before - after) / before : 0);

/** One point per distinct x (ascending), over the reports `x` maps to it. */
export function summariseSweep(reports: readonly BiseReport[], x: (r: BiseReport) => number): SweepPoint[] {
  const groups = new Map<number, BiseReport[]>();
  for (const r of reports) {
    const key = x(r);
    if (!Number.isFinite(key)) throw new Error(`a report has no finite value of the swept setting (got ${key})`);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, rs]) => {
      const of = (f: (r: BiseReport) => number): Stat => stat(rs.map(f));
      const sub = (f: (m: EvalMetrics) => number): Stat => of((r) => f(r.metrics.subnetwork));
      const names = [...new Set(rs.flatMap((r) => r.metrics.baselines.map((b) => b.name)))];
      const baselines: Record<string, Stat> = {};
      for (const name of names) {
        const values = rs.flatMap((r) => r.metrics.baselines.filter((b) => b.name === name).map((b) => b.metrics.unbiasedAccuracy));
        baselines[name] = stat(values);
      }
      const probed = rs.filter((r) => r.probe !== null);
      return {
        x: key,
        runs: rs.length,
        seeds: rs.map((r) => r.seed).sort((a, b) => a - b),
        vanilla: of((r) => r.metrics.vanilla.unbiasedAccuracy),
        subnetwork: { unbiased: sub((m) => m.unbiasedAccuracy), aligned: sub((m) => m.alignedAccuracy), conflicting: sub((m) => m.conflictingAccuracy), worstGroup: sub((m) => m.worstGroupAccuracy) },
        baselines,
        unitsRemoved: of((r) => removed(r.pruning.unitsBefore, r.pruning.unitsAfter)),
        paramsRemoved: of((r) => removed(r.pruning.paramsBefore, r.pruning.paramsAfter)),
        flopsRemoved: of((r) => removed(r.pruning.flopsBefore, r.pruning.flopsAfter)),
        probe: probed.length > 0 ? stat(probed.map((r) => r.probe!.subnetwork.linearAccuracy)) : null,
        vanillaProbe: probed.length > 0 ? stat(probed.map((r) => r.probe!.vanilla.linearAccuracy)) : null,
        seconds: of((r) => r.timings.totalSeconds),
      };
    });
}

/** A report's numeric config value (e.g. 'gamma', 'biasNoise', 'data.rho'); NaN when absent or not a number. */
export function configNumber(r: BiseReport, key: string): number {
  const v = r.config[key];
  return typeof v === 'number' ? v : Number.NaN;
}
