/**
 * report.md's note on substitute training bias labels (unsupervised 'identify' mode, or flipped labels): where
 * they came from and how well they matched the dataset's own. Nothing when BISE used the dataset's labels as given.
 */
import { formatCount, formatPercent } from './format';
import { escapeMarkdown, markdownTable } from './markdown-text';
import type { BiseReport } from './schema';

function source(r: BiseReport): string {
  const identified = r.config.biasFrom === 'identify';
  const noise = typeof r.config.biasNoise === 'number' ? r.config.biasNoise : 0;
  const parts = [
    identified ? 'the predictions of an identification model (a fresh copy of the architecture trained for one epoch; no bias labels were read)' : "the dataset's bias labels",
    ...(noise > 0 ? [`with ${formatPercent(noise)} of them replaced by another value`] : []),
  ];
  return parts.join(', ');
}

export function biasLabelsSection(r: BiseReport): string[] {
  if (!r.biasLabels || r.biasLabels.length === 0) return [];
  return [
    '### Training bias labels',
    '',
    `BISE's reweighting and auxiliary heads were trained with ${source(r)}. Compared with the dataset's own labels ` +
      '(conflicting: bias label ≠ target class; recall: the truly conflicting training samples the substitute labels also flag):',
    '',
    markdownTable(
      ['Attribute', 'Agreement', 'Truly conflicting', 'Flagged conflicting', 'Recall', 'Precision'],
      r.biasLabels.map((q) => [
        escapeMarkdown(q.attribute),
        formatPercent(q.agreement),
        formatCount(q.trueConflicting),
        formatCount(q.flaggedConflicting),
        formatPercent(q.conflictingRecall),
        formatPercent(q.conflictingPrecision),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right'],
    ),
  ];
}
