/**
 * report.md's tables for datasets with several bias attributes (version-2 reports): each attribute's aligned /
 * conflicting / worst-group accuracy per model, and the joint aligned/conflicting cells (for two attributes, the
 * Multi-Color MNIST table: left aligned/conflicting × right aligned/conflicting). Nothing for one attribute, whose
 * numbers are already the main table's.
 */
import { comparedModels } from './comparisons';
import { formatCount, formatPercent } from './format';
import { escapeMarkdown, markdownTable } from './markdown-text';
import type { AlignmentCellRecord, BiasAccuracyRecord, BiseReport } from './schema';

/** "A·C": aligned with attribute 0, conflicting with attribute 1. */
export function cellCode(cell: Pick<AlignmentCellRecord, 'aligned'>): string {
  return cell.aligned.map((a) => (a ? 'A' : 'C')).join('·');
}

/** One attribute's aligned, conflicting and worst-group accuracy, formatted (shared with the panel). */
export function perBiasNumbers(b: BiasAccuracyRecord): string[] {
  return [formatPercent(b.alignedAccuracy), formatPercent(b.conflictingAccuracy), formatPercent(b.worstGroupAccuracy)];
}

/** A joint cell's accuracy, formatted; — for a cell with no test sample (shared with the panel). */
export function alignmentCellAccuracy(c: AlignmentCellRecord): string {
  return c.samples > 0 ? formatPercent(c.accuracy) : formatPercent(null);
}

export function perBiasSection(r: BiseReport): string[] {
  const attributes = r.data.biasAttributes;
  const models = comparedModels(r.metrics);
  if (attributes.length < 2 || !models.every((m) => m.metrics.perBias)) return [];
  const names = attributes.map(escapeMarkdown);
  const perBias = markdownTable(
    ['Model', ...names.flatMap((n) => [`${n}: aligned`, `${n}: conflicting`, `${n}: worst group`])],
    models.map((m) => [escapeMarkdown(m.name), ...m.metrics.perBias!.flatMap(perBiasNumbers)]),
    ['left', ...names.flatMap(() => ['right', 'right', 'right'] as const)],
  );
  const sizes = r.metrics.vanilla.perBias!.map((b, k) => `${names[k]}: ${formatCount(b.alignedSamples)} aligned, ${formatCount(b.conflictingSamples)} conflicting`).join('; ');
  const out = ['### Per bias attribute', '', `The table above counts aligned and conflicting samples by ${names[0]} only; here every attribute. Test samples: ${sizes}.`, '', perBias];
  const cells = r.metrics.vanilla.alignmentCells;
  if (cells && models.every((m) => m.metrics.alignmentCells)) {
    out.push(
      '',
      '### Aligned / conflicting combinations',
      '',
      `A = bias-aligned (b = y), C = bias-conflicting, in the order ${names.join(', ')}. A cell with no test sample shows —.`,
      '',
      markdownTable(
        ['Model', ...cells.map(cellCode)],
        [
          ...models.map((m) => [escapeMarkdown(m.name), ...m.metrics.alignmentCells!.map(alignmentCellAccuracy)]),
          ['*test samples*', ...cells.map((c) => formatCount(c.samples))],
        ],
        ['left', ...cells.map(() => 'right' as const)],
      ),
    );
  }
  return out;
}
