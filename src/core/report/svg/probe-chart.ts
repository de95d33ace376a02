/** The bias probe, vanilla vs subnetwork: overall (linear and MLP probes) and per layer, against chance. */
import { formatPercent } from '../format';
import { probeLayers } from '../comparisons';
import type { ProbeResult } from '../schema';
import { renderGroupedBars } from './grouped-bars';
import { SUBNETWORK_COLOUR, VANILLA_COLOUR } from './theme';

export function renderProbeChart(probe: { vanilla: ProbeResult; subnetwork: ProbeResult }): string {
  const layers = probeLayers(probe.vanilla, probe.subnetwork);
  const chance = Math.max(probe.vanilla.chance, probe.subnetwork.chance);
  return renderGroupedBars({
    title: 'Bias probe: how well a fresh classifier predicts the bias (lower is better)',
    description: `Probe accuracy for the vanilla model and the subnetwork: linear and MLP probes on the bottleneck, then a probe per layer; the dashed line is chance (${formatPercent(chance)}).`,
    categories: ['linear probe', 'MLP probe', ...layers.map((l) => l.label)],
    series: [
      { name: 'vanilla', colour: VANILLA_COLOUR, values: [probe.vanilla.linearAccuracy, probe.vanilla.mlpAccuracy, ...layers.map((l) => l.vanilla)] },
      { name: 'subnetwork', colour: SUBNETWORK_COLOUR, values: [probe.subnetwork.linearAccuracy, probe.subnetwork.mlpAccuracy, ...layers.map((l) => l.subnetwork)] },
    ],
    yDomain: [0, 1],
    yLabel: 'bias probe accuracy',
    formatY: (v) => formatPercent(v, 0),
    formatValue: (v) => formatPercent(v),
    reference: { value: chance, label: `chance ${formatPercent(chance)}` },
  });
}
