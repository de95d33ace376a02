/**
 * A stand-alone line plot (one panel, its own SVG document): accuracy against a swept setting (γ, bias-label
 * noise, ρ) for docs/RESULTS.md, drawn from report.json files by scripts/results-table.mjs. Pure: same input,
 * same bytes.
 */
import { svgDocument } from './document';
import { LineSeries, renderLinePanel } from './line-panel';
import { SERIES_COLOURS } from './theme';
import { textElement } from './xml';

export interface LinePlotSeries {
  readonly name: string;
  /** Default: the series palette in order. */
  readonly colour?: string;
  /** [x, y] pairs; y null leaves a gap. Sorted by x here. */
  readonly points: readonly (readonly [number, number | null])[];
}

export interface LinePlotOptions {
  readonly title: string;
  /** Accessible description of what is plotted. */
  readonly description: string;
  readonly xLabel: string;
  readonly series: readonly LinePlotSeries[];
  /**
   * 'linear': x as given, integer ticks unless `xTicks`; 'categorical': the distinct x values at even spacing,
   * each labelled (for uneven settings such as ρ = 0.97 … 0.997 or γ = 0 … 5).
   */
  readonly xAxis?: 'linear' | 'categorical';
  readonly xTicks?: readonly { readonly value: number; readonly label: string }[];
  readonly yDomain?: readonly [number, number];
  readonly formatY: (v: number) => string;
  readonly formatX?: (v: number) => string;
  readonly width?: number;
  readonly height?: number;
}

export function renderLinePlot(o: LinePlotOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 360;
  const formatX = o.formatX ?? ((v: number): string => String(v));
  const sorted = o.series.map((s) => ({ ...s, points: [...s.points].sort((a, b) => a[0] - b[0]) }));
  const categories = [...new Set(sorted.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const categorical = o.xAxis === 'categorical';
  const position = (x: number): number => (categorical ? categories.indexOf(x) : x);
  const series: LineSeries[] = sorted.map((s, i) => ({
    name: s.name,
    colour: s.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length],
    points: s.points.map(([x, y]) => [position(x), y] as const),
  }));
  const xTicks = categorical ? categories.map((x, i) => ({ value: i, label: formatX(x) })) : o.xTicks;
  // The heading gets its own row; the panel's title row holds only the legend, so a long title never meets it.
  const panel = renderLinePanel({
    x: 8,
    y: 30,
    width: width - 16,
    height: height - 34,
    title: '',
    series,
    yDomain: o.yDomain,
    formatY: o.formatY,
    xLabel: o.xLabel,
    xTicks,
  });
  const heading = textElement('text', { x: 12, y: 22, 'font-size': 15, 'font-weight': 'bold' }, o.title);
  return svgDocument({ width, height, title: o.title, description: o.description }, `${heading}\n${panel}`);
}
