/** Which figures an audit report folder holds, where they go, and their captions in report.md. */
import type { AuditReport } from './audit-schema';
import { renderAuditAccuracyChart, renderAuditProbeChart, renderFairnessChart } from './svg/audit-charts';

export type AuditFigureSection = 'accuracy' | 'fairness' | 'probe';

export interface AuditFigure {
  /** Path relative to the report folder. */
  readonly file: string;
  readonly caption: string;
  readonly section: AuditFigureSection;
  readonly render: () => string;
}

/** Every figure the report has data for: accuracy, one fairness chart per bias attribute (numbered), the probe if run. */
export function auditFigures(r: AuditReport): AuditFigure[] {
  return [
    { file: 'figures/accuracy.svg', caption: 'Test accuracy per group and per class', section: 'accuracy', render: () => renderAuditAccuracyChart(r.metrics) },
    ...r.fairness.map(
      (f, k): AuditFigure => ({
        // Numbered rather than named after the attribute: attribute names come from user files.
        file: r.fairness.length === 1 ? 'figures/fairness.svg' : `figures/fairness-${k + 1}.svg`,
        caption: `Demographic parity and equalized odds differences by ${f.attribute}`,
        section: 'fairness',
        render: () => renderFairnessChart(f),
      }),
    ),
    ...(r.probe ? [{ file: 'figures/probe.svg', caption: 'Bias probe accuracy on the bottleneck and per layer', section: 'probe' as const, render: () => renderAuditProbeChart(r.probe!) }] : []),
  ];
}
