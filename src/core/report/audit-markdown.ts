/**
 * report.md of an audit: the answer first (how accurate, how unfair, how much bias the features carry), then the
 * tables that back it — accuracy per group, Fairlearn's metrics per bias attribute, the probe per layer — then
 * what is needed to reproduce it. Text from user files is escaped; numbers go through format.ts.
 */
import type { AuditReport, ClassFairnessRecord, FairnessRecord } from './audit-schema';
import { AuditFigureSection, auditFigures } from './audit-figures';
import { formatConfigValue, formatCount, formatDecimal, formatDuration, formatPercent, formatPoints } from './format';
import { codeSpan, escapeMarkdown, markdownImage, markdownLink, markdownTable } from './markdown-text';
import { alignmentCellAccuracy, cellCode, perBiasNumbers } from './markdown-per-bias';

/** The sentence that says how multi-class targets are measured (also printed by the CLI). */
export function fairnessModeText(f: Pick<FairnessRecord, 'mode' | 'perClass'>): string {
  return f.mode === 'binary'
    ? 'binary target, positive class 1 (Fairlearn’s default pos_label)'
    : `one-vs-rest: each of the ${f.perClass.length} classes in turn is the positive class; the worst class is shown`;
}

function figures(r: AuditReport, section: AuditFigureSection): string[] {
  const listed = new Set(r.outputs.figures);
  return auditFigures(r)
    .filter((f) => f.section === section && listed.has(f.file))
    .map((f) => markdownImage(f.caption, f.file));
}

function modelName(r: AuditReport): string {
  const parts = r.model.path.split(/[\\/]/);
  return parts[parts.length - 1] || r.model.path;
}

function headline(r: AuditReport): string {
  const m = r.metrics;
  const lines = [
    `> **Unbiased accuracy ${formatPercent(m.unbiasedAccuracy)}**; worst group ${formatPercent(m.worstGroupAccuracy)}; ` +
      `bias-aligned ${formatPercent(m.alignedAccuracy)} vs bias-conflicting ${formatPercent(m.conflictingAccuracy)} (${formatPoints(m.conflictingAccuracy - m.alignedAccuracy)})`,
    ...r.fairness.map(
      (f) =>
        `> By ${escapeMarkdown(f.attribute)}: demographic parity difference ${formatDecimal(f.worst.demographicParityDifference)}, ` +
        `equalized odds difference ${formatDecimal(f.worst.equalizedOddsDifference)} (${f.mode === 'binary' ? 'positive class 1' : 'worst class, one-vs-rest'})`,
    ),
    ...(r.probe ? [`> The bias is predicted from the bottleneck with ${formatPercent(r.probe.linearAccuracy)} accuracy by a linear probe (chance ${formatPercent(r.probe.chance)}).`] : []),
  ];
  return [
    lines.join('\n>\n'),
    '',
    `Test set: ${formatCount(m.samples)} samples of ${escapeMarkdown(r.data.name)}. An audit measures the model as it is; no mask was learned and nothing was pruned.`,
  ].join('\n');
}

function accuracySection(r: AuditReport): string[] {
  const m = r.metrics;
  const table = markdownTable(
    ['Unbiased', 'Bias-aligned', 'Bias-conflicting', 'Worst group', 'Samples'],
    [[formatPercent(m.unbiasedAccuracy), formatPercent(m.alignedAccuracy), formatPercent(m.conflictingAccuracy), formatPercent(m.worstGroupAccuracy), formatCount(m.samples)]],
    ['right', 'right', 'right', 'right', 'right'],
  );
  const names = r.data.biasAttributes.map(escapeMarkdown);
  const perBias =
    names.length > 1 && m.perBias
      ? [
          '### Per bias attribute',
          '',
          markdownTable(
            ['Attribute', 'Aligned', 'Conflicting', 'Worst group', 'Aligned / conflicting samples'],
            m.perBias.map((b, k) => [names[k], ...perBiasNumbers(b), `${formatCount(b.alignedSamples)} / ${formatCount(b.conflictingSamples)}`]),
            ['left', 'right', 'right', 'right', 'right'],
          ),
          '',
        ]
      : [];
  const cells = m.alignmentCells
    ? [
        '### Aligned / conflicting combinations',
        '',
        `A = bias-aligned (b = y), C = bias-conflicting, in the order ${names.join(', ')}. A cell with no test sample shows —.`,
        '',
        markdownTable(['', ...m.alignmentCells.map(cellCode)], [['accuracy', ...m.alignmentCells.map(alignmentCellAccuracy)], ['*test samples*', ...m.alignmentCells.map((c) => formatCount(c.samples))]], [
          'left',
          ...m.alignmentCells.map(() => 'right' as const),
        ]),
        '',
      ]
    : [];
  const perClass = [
    '<details><summary>Accuracy per class</summary>',
    '',
    markdownTable(['Class', 'Accuracy'], m.perClassAccuracy.map((a, c) => [String(c), formatPercent(a)]), ['left', 'right']),
    '',
    '</details>',
  ];
  return ['## Accuracy on the test set', '', table, '', ...perBias, ...cells, ...figures(r, 'accuracy'), '', ...perClass];
}

const ratio = (v: number | null): string => (v === null ? '— (no group selects it)' : formatDecimal(v));

function classRow(c: ClassFairnessRecord): string[] {
  return [String(c.positiveClass), formatDecimal(c.demographicParityDifference), ratio(c.demographicParityRatio), formatDecimal(c.equalizedOddsDifference)];
}

function attributeSection(r: AuditReport, f: FairnessRecord, k: number): string[] {
  const summary = markdownTable(
    ['Positive class', 'Demographic parity difference', 'Demographic parity ratio', 'Equalized odds difference'],
    [
      ...f.perClass.map(classRow),
      ...(f.mode === 'one-vs-rest' ? [['**worst**', `**${formatDecimal(f.worst.demographicParityDifference)}**`, `**${ratio(f.worst.demographicParityRatio)}**`, `**${formatDecimal(f.worst.equalizedOddsDifference)}**`]] : []),
    ],
    ['left', 'right', 'right', 'right'],
  );
  const rates = markdownTable(
    ['Positive class', `${escapeMarkdown(f.attribute)} =`, 'Samples', 'Positives', 'Selection rate', 'True positive rate', 'False positive rate'],
    f.perClass.flatMap((c) =>
      c.groups.map((g) => [String(c.positiveClass), String(g.group), formatCount(g.samples), formatCount(g.positives), formatDecimal(g.selectionRate), formatDecimal(g.truePositiveRate), formatDecimal(g.falsePositiveRate)]),
    ),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const figure = figures(r, 'fairness')[k];
  return [
    `### By ${escapeMarkdown(f.attribute)}`,
    '',
    `Groups: the ${f.perClass[0]?.groups.length ?? 0} values of ${escapeMarkdown(f.attribute)} in the test split; ${escapeMarkdown(fairnessModeText(f))}.`,
    '',
    summary,
    '',
    ...(figure ? [figure, ''] : []),
    '<details><summary>Rates per group</summary>',
    '',
    rates,
    '',
    '</details>',
  ];
}

function fairnessSection(r: AuditReport): string[] {
  return [
    '## Group fairness',
    '',
    'As [Fairlearn](https://fairlearn.org/main/user_guide/assessment/common_fairness_metrics.html) defines them, with the bias attribute as the sensitive feature: ' +
      'the selection rate of a group is P(ŷ = positive), its true positive rate P(ŷ = positive | y = positive) and its false positive rate P(ŷ = positive | y ≠ positive) ' +
      '(0 for a group without positives or negatives, as in Fairlearn). The demographic parity difference is the largest minus the smallest selection rate, the ratio the smallest over the largest; ' +
      'the equalized odds difference is the larger of the true positive rate and false positive rate differences. 0 difference and ratio 1 mean equal treatment.',
    '',
    ...r.fairness.flatMap((f, k) => [...attributeSection(r, f, k), '']),
  ];
}

function probeSection(r: AuditReport): string[] {
  const p = r.probe;
  if (!p) return ['## Bias probe', '', 'No probe was run for this audit.'];
  const rows = [
    ['linear probe accuracy (bottleneck)', formatPercent(p.linearAccuracy)],
    ['MLP probe accuracy (bottleneck)', formatPercent(p.mlpAccuracy)],
    ['mutual information (normalised)', formatDecimal(p.mutualInformation)],
    ['chance level', formatPercent(p.chance)],
    ...p.perLayer.map((l) => [`layer ${escapeMarkdown(l.label)}`, formatPercent(l.accuracy)]),
  ];
  const names = r.data.biasAttributes;
  const further = (p.perBias ?? []).map((b) => [escapeMarkdown(names[b.attribute] ?? `attribute ${b.attribute}`), formatPercent(b.linearAccuracy), formatPercent(b.mlpAccuracy), formatPercent(b.chance)]);
  return [
    '## Bias probe',
    '',
    `Fresh classifiers are trained on the validation split to predict ${escapeMarkdown(names[0] ?? 'the bias')} from the model's features and scored on the test split; the closer to chance, the less bias information the layer carries.`,
    '',
    markdownTable(['Probe', 'Accuracy'], rows, ['left', 'right']),
    '',
    ...(further.length > 0
      ? ['### Other bias attributes (bottleneck)', '', markdownTable(['Attribute', 'Linear probe', 'MLP probe', 'Chance'], further, ['left', 'right', 'right', 'right']), '']
      : []),
    ...figures(r, 'probe'),
  ];
}

function configSection(r: AuditReport): string[] {
  const rows = Object.keys(r.config)
    .sort()
    .map((k) => [escapeMarkdown(k), escapeMarkdown(formatConfigValue(r.config[k]))]);
  return ['## Configuration', '', rows.length > 0 ? markdownTable(['Setting', 'Value'], rows) : 'No settings were recorded.'];
}

function provenanceSection(r: AuditReport): string[] {
  const t = r.tool;
  const d = r.data;
  const parts = r.model.bottleneck !== null ? `; bottleneck ${codeSpan(r.model.bottleneck)}, classifier ${codeSpan(r.model.classifier ?? '')}` : '';
  return [
    '## Provenance',
    '',
    `- Machine-readable report: ${markdownLink('report.json', 'report.json')}`,
    `- Tool: ${escapeMarkdown(t.name)} ${escapeMarkdown(t.version)}, onnxruntime ${escapeMarkdown(t.onnxruntime)}, Node ${escapeMarkdown(t.node)}, execution provider ${escapeMarkdown(t.executionProvider)}`,
    `- Model: ${codeSpan(r.model.path)}, SHA-256 ${codeSpan(r.model.sha256)}${parts}`,
    `- Data: ${escapeMarkdown(d.name)}${d.description ? ` — ${escapeMarkdown(d.description)}` : ''}; SHA-256 ${codeSpan(d.sha256)}; ` +
      `${formatCount(d.valSize)} validation / ${formatCount(d.testSize)} test samples; bias attribute${d.biasAttributes.length === 1 ? '' : 's'}: ${d.biasAttributes.map(escapeMarkdown).join(', ')}`,
    `- Seed: ${r.seed}`,
    `- Created: ${escapeMarkdown(r.createdAt)}`,
    `- Run time: ${formatDuration(r.timings.totalSeconds)}`,
    `- Report schema: ${escapeMarkdown(r.schema)}, kind ${escapeMarkdown(r.kind)}, version ${r.version}`,
  ];
}

export function renderAuditMarkdown(r: AuditReport): string {
  const sections = [
    [`# BISE audit: ${escapeMarkdown(modelName(r))} on ${escapeMarkdown(r.data.name)}`, '', headline(r)],
    accuracySection(r),
    fairnessSection(r),
    probeSection(r),
    configSection(r),
    provenanceSection(r),
  ];
  return `${sections.map((s) => s.join('\n')).join('\n\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
