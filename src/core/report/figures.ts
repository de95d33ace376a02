/** Which figures a report folder holds, where they go, and what each is called in report.md. */
import type { BiseReport } from './schema';
import { renderAccuracyChart } from './svg/accuracy-chart';
import { renderMaskHeatmap } from './svg/mask-heatmap';
import { renderProbeChart } from './svg/probe-chart';
import { renderTrainingCurves } from './svg/training-curves';

/** The report.md section a figure is shown in. */
export type FigureSection = 'accuracy' | 'pruning' | 'probe' | 'training';

interface FigureSpec {
  /** Path relative to the report folder. */
  readonly file: string;
  readonly caption: string;
  readonly section: FigureSection;
  /** False when the report has nothing to draw (e.g. no probe was run). */
  readonly applies: (report: BiseReport) => boolean;
  readonly render: (report: BiseReport) => string;
}

const always = (): boolean => true;

const FIGURES: readonly FigureSpec[] = [
  { file: 'figures/accuracy.svg', caption: 'Test accuracy of the vanilla model, the subnetwork and the baselines', section: 'accuracy', applies: always, render: (r) => renderAccuracyChart(r.metrics) },
  { file: 'figures/mask-heatmap.svg', caption: 'Mask logits per gated layer (crossed cells are pruned units)', section: 'pruning', applies: always, render: (r) => renderMaskHeatmap(r.masks, r.selection.epoch) },
  { file: 'figures/probe.svg', caption: 'Bias probe accuracy, vanilla vs subnetwork', section: 'probe', applies: (r) => r.probe !== null, render: (r) => renderProbeChart(r.probe!) },
  { file: 'figures/training-curves.svg', caption: 'Training curves', section: 'training', applies: always, render: (r) => renderTrainingCurves(r.history, r.selection.epoch) },
];

export interface RenderedFigure {
  readonly file: string;
  readonly svg: string;
}

/** Every figure the report has data for, rendered. */
export function renderFigures(report: BiseReport): RenderedFigure[] {
  return FIGURES.filter((f) => f.applies(report)).map((f) => ({ file: f.file, svg: f.render(report) }));
}

/** The figure paths a report gets (what `outputs.figures` should list), without rendering them. */
export function figureFiles(report: BiseReport): string[] {
  return FIGURES.filter((f) => f.applies(report)).map((f) => f.file);
}

/** Caption and section of a figure path written by this module; undefined for other paths. */
export function figureInfo(file: string): { caption: string; section: FigureSection } | undefined {
  const f = FIGURES.find((x) => x.file === file);
  return f && { caption: f.caption, section: f.section };
}
