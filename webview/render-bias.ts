/**
 * The result panel's tables for what a version-2 report adds beyond bias attribute 0 (the same information as
 * report.md's, src/core/report/markdown-per-bias.ts and markdown-bias-labels.ts): every attribute's aligned /
 * conflicting / worst-group accuracy and their joint cells when there are several attributes, and how well
 * substitute training bias labels matched the dataset's own. Each returns '' when the report has nothing to add.
 * Pure functions of the report (no DOM); every text from the report is escaped, and there are no inline styles.
 */
import { comparedModels } from '../src/core/report/comparisons';
import { formatCount } from '../src/core/report/format';
import { BIAS_LABEL_COLUMNS, biasLabelNumbers, biasLabelsIntro } from '../src/core/report/markdown-bias-labels';
import { alignmentCellAccuracy, cellCode, perBiasNumbers } from '../src/core/report/markdown-per-bias';
import type { BiseReport } from '../src/core/report/schema';
import { escapeHtml } from './escape-html';
import { htmlRow as row, htmlTable as table } from './html-table';

/**
 * With two or more bias attributes and per-attribute metrics for every compared model: a table of each
 * attribute's aligned / conflicting / worst-group accuracy per model with the test-sample sizes, and, when every
 * model has them, the aligned/conflicting combinations ("A·C": aligned with attribute 0, conflicting with 1).
 */
export function renderPerBiasTables(report: BiseReport): string {
  const attributes = report.data.biasAttributes;
  const models = comparedModels(report.metrics);
  if (attributes.length < 2 || !models.every((m) => m.metrics.perBias)) return '';
  const names = attributes.map(escapeHtml);
  const sizes = report.metrics.vanilla.perBias!.map((b, k) => `${names[k]}: ${formatCount(b.alignedSamples)} aligned, ${formatCount(b.conflictingSamples)} conflicting`).join('; ');
  const out = [
    '<h3>Per bias attribute</h3>',
    `<p class="muted">The table above counts aligned and conflicting samples by ${names[0]} only; here every attribute. Test samples: ${sizes}.</p>`,
    table(
      ['model', ...names.flatMap((n) => [`${n}: aligned`, `${n}: conflicting`, `${n}: worst group`])],
      models.map((m) => row([escapeHtml(m.name), ...m.metrics.perBias!.flatMap(perBiasNumbers)])),
    ),
  ];
  const cells = report.metrics.vanilla.alignmentCells;
  if (cells && models.every((m) => m.metrics.alignmentCells)) {
    out.push(
      '<h3>Aligned / conflicting combinations</h3>',
      `<p class="muted">A = bias-aligned (b = y), C = bias-conflicting, in the order ${names.join(', ')}. A cell with no test sample shows —.</p>`,
      table(
        ['model', ...cells.map((c) => escapeHtml(cellCode(c)))],
        [
          ...models.map((m) => row([escapeHtml(m.name), ...m.metrics.alignmentCells!.map(alignmentCellAccuracy)])),
          row(['<em>test samples</em>', ...cells.map((c) => formatCount(c.samples))]),
        ],
      ),
    );
  }
  return out.join('');
}

/** When BISE trained with substitute bias labels: where they came from and how well they matched, per attribute. */
export function renderBiasLabelsTable(report: BiseReport): string {
  const labels = report.biasLabels;
  if (!labels || labels.length === 0) return '';
  return (
    `<h3>Training bias labels</h3><p class="muted">${escapeHtml(biasLabelsIntro(report))}</p>` +
    table(
      BIAS_LABEL_COLUMNS,
      labels.map((q) => row([escapeHtml(q.attribute), ...biasLabelNumbers(q)])),
    )
  );
}
