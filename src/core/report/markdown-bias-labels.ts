/**
 * report.md's note on substitute training bias labels (unsupervised 'identify' mode, or flipped labels): where
 * they came from and how well they matched the dataset's own. Nothing when BISE used the dataset's labels as given.
 */
import { formatCount, formatPercent } from './format';
import { escapeMarkdown, markdownTable } from './markdown-text';
import type { BiasLabelQualityRecord } from '../metrics/bias-label-quality';
import type { BiseReport } from './schema';

/** Where the training bias labels came from (plain text, nothing from the report's strings). */
export function biasLabelSource(r: BiseReport): string {
  const identified = r.config.biasFrom === 'identify';
  const noise = typeof r.config.biasNoise === 'number' ? r.config.biasNoise : 0;
  const parts = [
    identified ? 'the predictions of an identification model (a fresh copy of the architecture trained for one epoch; no bias labels were read)' : "the dataset's bias labels",
    ...(noise > 0 ? [`with ${formatPercent(noise)} of them replaced by another value`] : []),
  ];
  return parts.join(', ');
}

/** The sentence before the table (plain text, shared with the panel; the caller escapes it for its format). */
export function biasLabelsIntro(r: BiseReport): string {
  return (
    `BISE's reweighting and auxiliary heads were trained with ${biasLabelSource(r)}. Compared with the dataset's own labels ` +
    '(conflicting: bias label ≠ target class; recall: the truly conflicting training samples the substitute labels also flag):'
  );
}

export const BIAS_LABEL_COLUMNS = ['Attribute', 'Agreement', 'Truly conflicting', 'Flagged conflicting', 'Recall', 'Precision'] as const;

/** One record's numbers, formatted, in the order of BIAS_LABEL_COLUMNS after the attribute. */
export function biasLabelNumbers(q: BiasLabelQualityRecord): string[] {
  return [formatPercent(q.agreement), formatCount(q.trueConflicting), formatCount(q.flaggedConflicting), formatPercent(q.conflictingRecall), formatPercent(q.conflictingPrecision)];
}

export function biasLabelsSection(r: BiseReport): string[] {
  if (!r.biasLabels || r.biasLabels.length === 0) return [];
  return [
    '### Training bias labels',
    '',
    biasLabelsIntro(r),
    '',
    markdownTable(
      [...BIAS_LABEL_COLUMNS],
      r.biasLabels.map((q) => [escapeMarkdown(q.attribute), ...biasLabelNumbers(q)]),
      ['left', 'right', 'right', 'right', 'right', 'right'],
    ),
  ];
}
