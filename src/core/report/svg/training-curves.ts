/** Training curves as small multiples over epochs: losses, validation unbiased accuracy, units kept, τ. */
import { formatPercent } from '../format';
import type { EpochRecord } from '../schema';
import { svgDocument } from './document';
import { renderLinePanel } from './line-panel';
import { SERIES_COLOURS } from './theme';
import { textElement } from './xml';

const WIDTH = 900;
const PANEL_WIDTH = 434;
const PANEL_HEIGHT = 230;
const TOP = 40;

const percentTick = (v: number): string => formatPercent(v, 0);
const decimalTick = (v: number): string => Number(v.toPrecision(3)).toString();

export function renderTrainingCurves(history: readonly EpochRecord[], selectedEpoch: number): string {
  const at = <T extends number | null>(f: (h: EpochRecord) => T): [number, T][] => history.map((h) => [h.epoch, f(h)]);
  const marker = history.length > 0 ? { x: selectedEpoch, label: `selected (epoch ${selectedEpoch})` } : undefined;
  const common = { width: PANEL_WIDTH, height: PANEL_HEIGHT, xLabel: 'epoch', marker };
  const col = (i: number): number => 12 + i * (PANEL_WIDTH + 8);
  const row = (i: number): number => TOP + i * (PANEL_HEIGHT + 10);
  const panels = [
    renderLinePanel({
      ...common,
      x: col(0),
      y: row(0),
      title: 'Loss terms',
      series: [
        { name: 'cross-entropy', colour: SERIES_COLOURS[0], points: at((h) => h.crossEntropy) },
        { name: 'mutual information', colour: SERIES_COLOURS[1], points: at((h) => h.mutualInformation) },
      ],
      formatY: decimalTick,
    }),
    renderLinePanel({
      ...common,
      x: col(1),
      y: row(0),
      title: 'Validation unbiased accuracy',
      series: [{ name: 'val unbiased accuracy', colour: SERIES_COLOURS[2], points: at((h) => h.valUnbiasedAccuracy) }],
      yDomain: [0, 1],
      formatY: percentTick,
    }),
    renderLinePanel({
      ...common,
      x: col(0),
      y: row(1),
      title: 'Units kept',
      series: [{ name: 'kept units', colour: SERIES_COLOURS[3], points: at((h) => (h.totalUnits > 0 ? h.keptUnits / h.totalUnits : null)) }],
      yDomain: [0, 1],
      formatY: percentTick,
    }),
    renderLinePanel({
      ...common,
      x: col(1),
      y: row(1),
      title: 'Temperature τ (log scale)',
      series: [{ name: 'τ', colour: SERIES_COLOURS[4], points: at((h) => h.tau) }],
      yScale: 'log',
      formatY: decimalTick,
    }),
  ];
  const heading = `Training curves over ${history.length} epochs (selected epoch ${selectedEpoch})`;
  return svgDocument(
    {
      width: WIDTH,
      height: row(2) + 4,
      title: heading,
      description: 'Four panels over epochs: cross-entropy and mutual-information loss terms, validation unbiased accuracy, fraction of units kept, and the gate temperature τ on a log scale.',
    },
    [textElement('text', { x: 16, y: 26, 'font-size': 15, 'font-weight': 'bold' }, heading), ...panels].join('\n'),
  );
}
