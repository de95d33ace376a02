/** The audit report's figures: accuracy per group, Fairlearn's disparities per class, and the bias probe per layer. */
import { formatDecimal, formatPercent } from '../format';
import type { EvalMetrics, ProbeResult } from '../schema';
import type { FairnessRecord } from '../audit-schema';
import { renderGroupedBars } from './grouped-bars';
import { SERIES_COLOURS, SUBNETWORK_COLOUR } from './theme';

export function renderAuditAccuracyChart(m: EvalMetrics): string {
  const classes = m.perClassAccuracy.map((_, c) => `class ${c}`);
  return renderGroupedBars({
    title: 'Test accuracy per group',
    description: 'Unbiased, bias-aligned, bias-conflicting and worst-group accuracy on the test split, then the accuracy of each class.',
    categories: ['unbiased', 'bias-aligned', 'bias-conflicting', 'worst group', ...classes],
    series: [{ name: 'accuracy', colour: SUBNETWORK_COLOUR, values: [m.unbiasedAccuracy, m.alignedAccuracy, m.conflictingAccuracy, m.worstGroupAccuracy, ...m.perClassAccuracy] }],
    yDomain: [0, 1],
    yLabel: 'accuracy',
    formatY: (v) => formatPercent(v, 0),
    formatValue: (v) => formatPercent(v),
  });
}

/** One attribute's demographic parity and equalized odds differences for every positive class (0 is fair). */
export function renderFairnessChart(f: FairnessRecord): string {
  const one = f.mode === 'binary';
  return renderGroupedBars({
    title: `Group fairness by ${f.attribute} (lower is fairer)`,
    description: one
      ? `Demographic parity difference and equalized odds difference across the values of ${f.attribute}, positive class 1.`
      : `Demographic parity difference and equalized odds difference across the values of ${f.attribute}, each class against the rest.`,
    categories: f.perClass.map((c) => `class ${c.positiveClass}`),
    series: [
      { name: 'demographic parity difference', colour: SERIES_COLOURS[1], values: f.perClass.map((c) => c.demographicParityDifference) },
      { name: 'equalized odds difference', colour: SERIES_COLOURS[4], values: f.perClass.map((c) => c.equalizedOddsDifference) },
    ],
    yDomain: [0, 1],
    yLabel: 'difference between groups',
    formatY: (v) => formatDecimal(v, 1),
    formatValue: (v) => formatDecimal(v, 2),
  });
}

export function renderAuditProbeChart(p: ProbeResult): string {
  return renderGroupedBars({
    title: 'Bias probe: how well a fresh classifier predicts the bias (lower is less bias information)',
    description: `Probe accuracy on the bottleneck (linear and MLP probes), then a linear probe per layer; the dashed line is chance (${formatPercent(p.chance)}).`,
    categories: ['linear probe', 'MLP probe', ...p.perLayer.map((l) => l.label)],
    series: [{ name: 'probe accuracy', colour: SUBNETWORK_COLOUR, values: [p.linearAccuracy, p.mlpAccuracy, ...p.perLayer.map((l) => l.accuracy)] }],
    yDomain: [0, 1],
    yLabel: 'bias probe accuracy',
    formatY: (v) => formatPercent(v, 0),
    formatValue: (v) => formatPercent(v),
    reference: { value: p.chance, label: `chance ${formatPercent(p.chance)}` },
  });
}
