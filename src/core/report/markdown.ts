/**
 * report.md: the page a reviewer reads in a pull request. It leads with the answer (did the subnetwork get
 * less biased, and how much smaller is it), then the tables that back it, then what is needed to reproduce it.
 * Every string from a user file is escaped; numbers go through format.ts so they read alike everywhere.
 */
import { comparedModels, probeLayers } from './comparisons';
import { figureInfo, FigureSection } from './figures';
import {
  formatConfigValue,
  formatCount,
  formatDecimal,
  formatDuration,
  formatFlops,
  formatPercent,
  formatPoints,
  formatRemoved,
} from './format';
import { codeSpan, escapeMarkdown, markdownImage, markdownLink, markdownTable } from './markdown-text';
import { perBiasSection } from './markdown-per-bias';
import { biasLabelsSection } from './markdown-bias-labels';
import { probePerBiasSection } from './markdown-probe-per-bias';
import { blocksSection } from './markdown-blocks';
import type { BiseReport, EvalMetrics, ProbeResult } from './schema';

const SELECTION_TEXT: Record<BiseReport['selection']['criterion'], string> = {
  'best-val-unbiased': 'best validation unbiased accuracy',
  last: 'last epoch',
};

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/** "before → after (-x%)" for a quantity that pruning can only shrink. */
function beforeAfter(before: number, after: number, format: (n: number) => string): string {
  const change = before > 0 && after !== before ? ` (-${formatRemoved(before, after)})` : '';
  return `${format(before)} → ${format(after)}${change}`;
}

function figures(report: BiseReport, section: FigureSection): string[] {
  return report.outputs.figures.filter((f) => figureInfo(f)?.section === section).map((f) => markdownImage(figureInfo(f)!.caption, f));
}

/** For `bise extract --baseline`: the subnetwork was chosen without learning, and how. */
function baselineNote(r: BiseReport): string[] {
  const kind = r.config.baseline;
  if (kind !== 'random' && kind !== 'magnitude') return [];
  const how = kind === 'random' ? `random units (seed ${r.seed})` : "the units with the largest L1 norm of their weights";
  const like = typeof r.config.baselineLike === 'string' ? ` as ${codeSpan(r.config.baselineLike)}` : '';
  return [`> **Baseline, not BISE:** the subnetwork keeps ${how}, as many per layer${like}; no mask was learned.`, '>'];
}

function headline(r: BiseReport): string {
  const v = r.metrics.vanilla.unbiasedAccuracy;
  const s = r.metrics.subnetwork.unbiasedAccuracy;
  const p = r.pruning;
  const selected = r.history.find((h) => h.epoch === r.selection.epoch);
  const epochs = r.history.length > 0 ? ` of ${r.history.length}` : '';
  const note = baselineNote(r);
  const selection =
    note.length > 0
      ? ''
      : `Mask selected at epoch ${r.selection.epoch}${epochs} (${SELECTION_TEXT[r.selection.criterion]}` +
        `${selected && selected.valUnbiasedAccuracy !== null ? `: ${formatPercent(selected.valUnbiasedAccuracy)} on validation` : ''}). `;
  return [
    ...note,
    `> **Unbiased accuracy: ${formatPercent(v)} → ${formatPercent(s)} (${formatPoints(s - v)})**`,
    `> with ${formatRemoved(p.unitsBefore, p.unitsAfter)} of units (${formatCount(p.unitsBefore - p.unitsAfter)} of ${formatCount(p.unitsBefore)}), ` +
      `${formatRemoved(p.paramsBefore, p.paramsAfter)} of parameters and ${formatRemoved(p.flopsBefore, p.flopsAfter)} of FLOPs removed.`,
    '',
    `${selection}Test set: ${formatCount(r.metrics.subnetwork.samples)} samples of ${escapeMarkdown(r.data.name)}.`,
  ].join('\n');
}

function metricsSection(r: BiseReport): string[] {
  const vanilla = r.metrics.vanilla.unbiasedAccuracy;
  const row = (name: string, m: EvalMetrics, emphasise: boolean): string[] => {
    const cells = [
      escapeMarkdown(name),
      formatPercent(m.unbiasedAccuracy),
      formatPercent(m.alignedAccuracy),
      formatPercent(m.conflictingAccuracy),
      formatPercent(m.worstGroupAccuracy),
      name === 'vanilla' ? '' : formatPoints(m.unbiasedAccuracy - vanilla),
      formatCount(m.samples),
    ];
    return emphasise ? cells.map((c, i) => (i < 5 && c !== '' ? `**${c}**` : c)) : cells;
  };
  const models = comparedModels(r.metrics);
  const table = markdownTable(
    ['Model', 'Unbiased', 'Bias-aligned', 'Bias-conflicting', 'Worst group', 'Δ unbiased vs vanilla', 'Samples'],
    models.map((m, i) => row(m.name, m.metrics, i === 1)),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const classes = r.metrics.vanilla.perClassAccuracy.length;
  const perClass =
    classes === 0
      ? []
      : [
          '<details><summary>Accuracy per class</summary>',
          '',
          markdownTable(
            ['Class', 'Vanilla', 'Subnetwork'],
            Array.from({ length: classes }, (_, c) => [String(c), formatPercent(r.metrics.vanilla.perClassAccuracy[c]), formatPercent(r.metrics.subnetwork.perClassAccuracy[c])]),
            ['left', 'right', 'right'],
          ),
          '',
          '</details>',
        ];
  const extra = [perBiasSection(r), biasLabelsSection(r)].filter((s) => s.length > 0).flatMap((s) => [...s, '']);
  return ['## Accuracy on the test set', '', table, '', ...extra, ...figures(r, 'accuracy'), '', ...perClass];
}

function pruningSection(r: BiseReport): string[] {
  const p = r.pruning;
  const groupOf = new Map<string, (typeof p.groups)[number]>();
  for (const g of p.groups) for (const node of g.producers) groupOf.set(node, g);
  const rows = p.layers.map((l) => {
    const g = groupOf.get(l.node);
    return [
      escapeMarkdown(l.node),
      escapeMarkdown(l.opType),
      g ? `${formatCount(g.kept)} / ${formatCount(g.channels)}` : '—',
      `[${l.weightDimsBefore.join(', ')}] → [${l.weightDimsAfter.join(', ')}]`,
      beforeAfter(l.paramsBefore, l.paramsAfter, formatCount),
      beforeAfter(l.flopsBefore, l.flopsAfter, formatFlops),
    ];
  });
  rows.push([
    '**whole model**',
    '',
    `**${formatCount(p.unitsAfter)} / ${formatCount(p.unitsBefore)}**`,
    '',
    `**${beforeAfter(p.paramsBefore, p.paramsAfter, formatCount)}**`,
    `**${beforeAfter(p.flopsBefore, p.flopsAfter, formatFlops)}**`,
  ]);
  const shapes = Object.entries(p.inputShapes)
    .map(([name, dims]) => `${escapeMarkdown(name)} [${dims.join(', ')}]`)
    .join(', ');
  const groupRows = p.groups.map((g) => [
    String(g.group),
    escapeMarkdown(g.label),
    formatCount(g.producers.length),
    `${formatCount(g.kept)} / ${formatCount(g.channels)}`,
    formatRemoved(g.channels, g.kept),
  ]);
  return [
    '## Subnetwork size',
    '',
    `Units are output channels (convolutions) or neurons (linear layers); "units kept" is the mask group that owns the layer's outputs (—: not gated, e.g. the classifier). ` +
      `Parameters are initializer elements (weights and biases); FLOPs are 2 × the multiply-adds of Conv, ConvTranspose, Gemm and MatMul${shapes ? ` for input shapes ${shapes}` : ''}.`,
    '',
    markdownTable(['Layer', 'Op', 'Units kept / total', 'Weight shape', 'Parameters', 'FLOPs'], rows, ['left', 'left', 'right', 'left', 'right', 'right']),
    '',
    '<details><summary>Mask groups (units removed together)</summary>',
    '',
    markdownTable(['Group', 'Label', 'Layers', 'Units kept / total', 'Removed'], groupRows, ['right', 'left', 'right', 'right', 'right']),
    '',
    '</details>',
    '',
    ...blocksSection(r),
    '',
    ...figures(r, 'pruning'),
  ];
}

function probeSection(r: BiseReport): string[] {
  if (!r.probe) return ['## Bias probe', '', 'No probe was run for this report.'];
  const v: ProbeResult = r.probe.vanilla;
  const s: ProbeResult = r.probe.subnetwork;
  const accuracyRow = (name: string, a: number | null, b: number | null): string[] => [
    name,
    formatPercent(a),
    formatPercent(b),
    a !== null && b !== null ? formatPoints(b - a) : '—',
  ];
  const mi = s.mutualInformation - v.mutualInformation;
  const rows = [
    accuracyRow('linear probe accuracy', v.linearAccuracy, s.linearAccuracy),
    accuracyRow('MLP probe accuracy', v.mlpAccuracy, s.mlpAccuracy),
    ['mutual information (normalised)', formatDecimal(v.mutualInformation), formatDecimal(s.mutualInformation), `${mi >= 0 ? '+' : ''}${formatDecimal(mi)}`],
    ['chance level', formatPercent(v.chance), formatPercent(s.chance), ''],
    ...probeLayers(v, s).map((l) => accuracyRow(`layer ${escapeMarkdown(l.label)}`, l.vanilla, l.subnetwork)),
  ];
  return [
    '## Bias probe',
    '',
    'A fresh classifier is trained to predict the bias attribute from the features; lower accuracy and mutual information mean less bias information is left.',
    '',
    markdownTable(['Probe', 'Vanilla', 'Subnetwork', 'Δ'], rows, ['left', 'right', 'right', 'right']),
    '',
    ...probePerBiasSection(r),
    '',
    ...figures(r, 'probe'),
  ];
}

function trainingSection(r: BiseReport): string[] {
  const rows = r.history.map((h) => [
    h.epoch === r.selection.epoch ? `**${h.epoch}** (selected)` : String(h.epoch),
    Number(h.tau.toPrecision(3)).toString(),
    formatDecimal(h.loss),
    formatDecimal(h.crossEntropy),
    formatDecimal(h.mutualInformation),
    formatPercent(h.trainAccuracy),
    formatPercent(h.auxAccuracy),
    formatPercent(h.valUnbiasedAccuracy),
    `${formatCount(h.keptUnits)} / ${formatCount(h.totalUnits)}`,
    formatDuration(h.seconds),
  ]);
  const history =
    rows.length === 0
      ? ['No training epochs were recorded.']
      : [
          `<details><summary>Training history (${r.history.length} epochs)</summary>`,
          '',
          markdownTable(
            ['Epoch', 'τ', 'Loss', 'Cross-entropy', 'MI', 'Train acc.', 'Aux. bias acc.', 'Val. unbiased', 'Units kept', 'Time'],
            rows,
            ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
          ),
          '',
          '</details>',
        ];
  const collapse = r.collapse
    ? [
        r.collapse.action === 'restarted'
          ? `**The first run collapsed** (initial mask logit ${r.collapse.maskInit}, ${formatCount(r.collapse.keptUnits)} units kept after epoch 1): ${escapeMarkdown(r.collapse.reason)}. It was restarted with initial mask logit ${r.collapse.restartMaskInit}; the history below is the restarted run's.`
          : `**The first epoch collapsed** (initial mask logit ${r.collapse.maskInit}, ${formatCount(r.collapse.keptUnits)} units kept): ${escapeMarkdown(r.collapse.reason)}. The run carried on (--on-collapse continue).`,
        '',
      ]
    : [];
  const earlyStop = r.earlyStop
    ? [
        `**Mask learning stopped early** at epoch ${r.earlyStop.epoch} of ${r.earlyStop.scheduledEpochs}: all ${formatCount(r.earlyStop.settledUnits)} units had settled (no gate could change for the rest of the schedule), so the masks are the full schedule's; its last ${formatCount(r.earlyStop.skippedSteps)} steps, weight decay only, were replayed without the model (--no-early-stop runs them).`,
        '',
      ]
    : [];
  return ['## Training', '', ...collapse, ...earlyStop, ...figures(r, 'training'), '', ...history];
}

function configSection(r: BiseReport): string[] {
  const rows = Object.keys(r.config)
    .sort()
    .map((k) => [escapeMarkdown(k), escapeMarkdown(formatConfigValue(r.config[k]))]);
  return ['## Configuration', '', rows.length > 0 ? markdownTable(['Setting', 'Value'], rows) : 'No settings were recorded.'];
}

function filesSection(r: BiseReport): string[] {
  const p = r.pruning;
  const other = r.outputs.figures.filter((f) => figureInfo(f) === undefined);
  return [
    '## Files',
    '',
    `- Pruned model: ${markdownLink(r.outputs.prunedModel, r.outputs.prunedModel)} (${formatCount(p.paramsAfter)} parameters, ${formatFlops(p.flopsAfter)} FLOPs)`,
    `- Masks (logits and keep flags per unit): ${markdownLink(r.outputs.masks, r.outputs.masks)}`,
    `- Machine-readable report: ${markdownLink('report.json', 'report.json')}`,
    ...other.map((f) => `- Figure: ${markdownLink(f, f)}`),
  ];
}

function provenanceSection(r: BiseReport): string[] {
  const t = r.tool;
  const d = r.data;
  return [
    '## Provenance',
    '',
    `- Tool: ${escapeMarkdown(t.name)} ${escapeMarkdown(t.version)}, onnxruntime ${escapeMarkdown(t.onnxruntime)}, Node ${escapeMarkdown(t.node)}, execution provider ${escapeMarkdown(t.executionProvider)}`,
    `- Model: ${codeSpan(r.model.path)}, SHA-256 ${codeSpan(r.model.sha256)}; bottleneck ${codeSpan(r.model.bottleneck)}, classifier ${codeSpan(r.model.classifier)}`,
    `- Data: ${escapeMarkdown(d.name)}${d.description ? ` — ${escapeMarkdown(d.description)}` : ''}; SHA-256 ${codeSpan(d.sha256)}; ` +
      `${formatCount(d.trainSize)} train / ${formatCount(d.valSize)} validation / ${formatCount(d.testSize)} test samples; ` +
      `bias attribute${d.biasAttributes.length === 1 ? '' : 's'}: ${d.biasAttributes.map(escapeMarkdown).join(', ') || 'none'}`,
    `- Seed: ${r.seed}`,
    `- Created: ${escapeMarkdown(r.createdAt)}`,
    `- Run time: ${formatDuration(r.timings.totalSeconds)} in total, ${formatDecimal(r.timings.msPerStep, 1)} ms per mask step`,
    `- Report schema: ${escapeMarkdown(r.schema)} version ${r.version}`,
  ];
}

export function renderMarkdown(report: BiseReport): string {
  const sections = [
    [`# BISE report: ${escapeMarkdown(baseName(report.model.path))} on ${escapeMarkdown(report.data.name)}`, '', headline(report)],
    metricsSection(report),
    pruningSection(report),
    probeSection(report),
    trainingSection(report),
    configSection(report),
    filesSection(report),
    provenanceSection(report),
  ];
  return `${sections.map((s) => s.join('\n')).join('\n\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
