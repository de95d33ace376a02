/** Test accuracies (unbiased, aligned, conflicting, worst group) of the vanilla model, the subnetwork and baselines. */
import { formatPercent } from '../format';
import { comparedModels } from '../comparisons';
import type { BiseReport, EvalMetrics } from '../schema';
import { renderGroupedBars } from './grouped-bars';
import { SERIES_COLOURS } from './theme';

const MEASURES: readonly { name: string; colour: string; pick: (m: EvalMetrics) => number }[] = [
  { name: 'unbiased', colour: SERIES_COLOURS[0], pick: (m) => m.unbiasedAccuracy },
  { name: 'bias-aligned', colour: SERIES_COLOURS[2], pick: (m) => m.alignedAccuracy },
  { name: 'bias-conflicting', colour: SERIES_COLOURS[4], pick: (m) => m.conflictingAccuracy },
  { name: 'worst group', colour: SERIES_COLOURS[3], pick: (m) => m.worstGroupAccuracy },
];

export function renderAccuracyChart(metrics: BiseReport['metrics']): string {
  const models = comparedModels(metrics);
  return renderGroupedBars({
    title: 'Test accuracy: vanilla model, BISE subnetwork and baselines',
    description: `Grouped bars per model (${models.map((m) => m.name).join(', ')}): unbiased, bias-aligned, bias-conflicting and worst-group accuracy.`,
    categories: models.map((m) => m.name),
    series: MEASURES.map((measure) => ({ name: measure.name, colour: measure.colour, values: models.map((m) => measure.pick(m.metrics)) })),
    yDomain: [0, 1],
    yLabel: 'accuracy',
    formatY: (v) => formatPercent(v, 0),
    formatValue: (v) => formatPercent(v),
  });
}
