/**
 * The panel's markup as pure functions of the data (no DOM, so the tests run them in Node). Every text that
 * comes from a model, a report or a message is escaped; colours are SVG presentation attributes, never inline
 * styles, which the panel's Content Security Policy forbids.
 */
import type { EpochEvent } from '../src/core/bise/events';
import type { BiseReport, EpochRecord, EvalMetrics } from '../src/core/report/schema';
import { comparedModels, probeLayers } from '../src/core/report/comparisons';
import { formatCount, formatDecimal, formatDuration, formatFlops, formatPercent, formatRemoved } from '../src/core/report/format';
import { PROBE_PER_BIAS_COLUMNS, probePerBiasIntro, probePerBiasRows } from '../src/core/report/markdown-probe-per-bias';
import { contrastingInk, divergingColour, symmetricRange } from '../src/core/report/svg/colour';
import { BlockPlace, blockPlaces } from '../src/core/report/transformer-blocks';
import type { DatasetOption, ErrorTarget, FieldError, FormField, FormValues, SetupView } from '../src/protocol/webview-messages';
import { renderCsvColumns } from './csv-columns';
import { modalityMismatch, noTextDatasetsHint, renderTextFields, renderUnits } from './text-fields';
import { escapeHtml } from './escape-html';
import { htmlRow, htmlTable } from './html-table';

export { escapeHtml };

/** An epoch event as the report's history record (for the core's training-curves figure). */
export function epochRecord(e: EpochEvent): EpochRecord {
  return {
    epoch: e.epoch,
    tau: e.tau,
    loss: e.loss,
    crossEntropy: e.crossEntropy,
    mutualInformation: e.mutualInformation,
    trainAccuracy: e.trainAccuracy,
    auxAccuracy: e.auxAccuracy,
    valUnbiasedAccuracy: e.valUnbiasedAccuracy,
    keptUnits: e.keptUnits,
    totalUnits: e.totalUnits,
    seconds: e.seconds,
  };
}

// ---- mask heatmap ----

export interface HeatmapGroup {
  readonly group: number;
  readonly label: string;
  readonly logits: readonly number[];
  /** Keep decisions (the report's); default: logit ≥ 0, as the engine decides. */
  readonly keep?: readonly boolean[];
  /** In a transformer: the group's block and whether its units are heads or MLP neurons (placeGroups). */
  readonly place?: BlockPlace | null;
}

/**
 * The groups placed in a transformer's blocks (core/report/transformer-blocks.ts), so that the heatmap names each row
 * by its block and unit kind; `transformer` for a text model gated without heads, whose labels alone do not say so.
 */
export function placeGroups(groups: readonly HeatmapGroup[], transformer = false): HeatmapGroup[] {
  const places = blockPlaces(
    groups.map((g) => g.label),
    transformer,
  );
  return groups.map((g, i) => ({ ...g, place: places[i] }));
}

/** A row's name: its block and unit kind in a transformer, else its group and label. */
function rowTitle(g: HeatmapGroup): string {
  if (!g.place) return `${g.group}: ${g.label}`;
  return `${g.place.name} · ${g.place.kind === 'heads' ? 'heads' : 'MLP neurons'}`;
}

const CELL = 10;
/** Heads are few: bigger cells, each with its index. */
const HEAD_CELL = 20;
const PER_LINE = 64;
const LABEL_WIDTH = 210;

/** Tooltip text of one cell: layer, unit, value and decision. */
export function cellInfo(groups: readonly HeatmapGroup[], g: number, u: number): string | null {
  const group = groups[g];
  if (!group || !(u >= 0 && u < group.logits.length)) return null;
  const v = group.logits[u];
  const kept = group.keep ? group.keep[u] : v >= 0;
  const unit = group.place ? `${group.place.kind === 'heads' ? 'head' : 'neuron'} ${u}` : `unit ${u}`;
  const where = group.place ? `${group.place.name} ${group.place.kind === 'heads' ? 'attention heads' : 'MLP'}` : group.label;
  return `${where} (group ${group.group}) · ${unit} · mask logit ${Number(v.toPrecision(3))} · ${kept ? 'kept' : 'pruned'}`;
}

/**
 * One row per gated layer (mask group), one cell per unit coloured by its logit on the report's diverging
 * scale (red < 0 pruned, blue ≥ 0 kept); each cell carries data-g / data-u for the hover tooltip. Each row is a
 * focusable button (data-row; click, Enter or Space shows its histogram); `selected` marks the row shown.
 */
export function renderHeatmap(groups: readonly HeatmapGroup[], selected: number | null = null): string {
  if (groups.length === 0) return '<p class="muted">No masks yet.</p>';
  const range = symmetricRange(groups.flatMap((g) => [...g.logits]));
  const rows: string[] = [];
  let y = 4;
  let widest = 0;
  groups.forEach((g, gi) => {
    const units = g.logits.length;
    const kept = g.keep ? g.keep.filter(Boolean).length : g.logits.filter((v) => v >= 0).length;
    const heads = g.place?.kind === 'heads';
    const size = heads ? HEAD_CELL : CELL;
    const perLine = heads ? Math.floor((PER_LINE * CELL) / HEAD_CELL) : PER_LINE;
    const lines = Math.max(1, Math.ceil(units / perLine));
    // A new block starts: a rule above its first row.
    const previous = groups[gi - 1]?.place;
    if (g.place && previous && previous.block !== g.place.block) {
      rows.push(`<line class="block-rule" x1="0" y1="${y - 5}" x2="${LABEL_WIDTH + PER_LINE * CELL}" y2="${y - 5}" stroke="currentColor" stroke-opacity="0.3"/>`);
    }
    const cells: string[] = [];
    for (let u = 0; u < units; u++) {
      const x = LABEL_WIDTH + (u % perLine) * size;
      const cy = y + Math.floor(u / perLine) * size;
      const fill = divergingColour(g.logits[u], range);
      const pruned = g.keep ? !g.keep[u] : g.logits[u] < 0;
      cells.push(`<rect data-g="${gi}" data-u="${u}" x="${x}" y="${cy}" width="${size - 1}" height="${size - 1}" fill="${fill}"/>`);
      if (heads) cells.push(`<text x="${x + size / 2 - 0.5}" y="${cy + size / 2 + 3.5}" font-size="10" text-anchor="middle" fill="${contrastingInk(fill)}" pointer-events="none"${pruned ? ' text-decoration="line-through"' : ''}>${u}</text>`);
      else if (pruned) cells.push(`<path d="M${x + 2} ${cy + 2}l5 5m0 -5l-5 5" stroke="${contrastingInk(fill)}" stroke-width="1.2" pointer-events="none"/>`);
    }
    widest = Math.max(widest, Math.min(perLine, units) * size);
    const what = g.place ? `${g.place.name} ${heads ? 'attention heads' : 'MLP neurons'} (group ${g.group})` : `${g.group}: ${g.label}`;
    const label = `${what}, ${kept} of ${units} ${heads ? 'heads' : 'units'} kept; show the histogram of its mask logits`;
    const height = Math.max(lines * size, 26);
    rows.push(
      `<g class="mask-row" data-row="${gi}" tabindex="0" role="button" aria-pressed="${gi === selected}" aria-label="${escapeHtml(label)}">` +
        `<rect class="row-hit" x="0" y="${y - 2}" width="${LABEL_WIDTH + Math.min(perLine, units) * size}" height="${height + 4}" fill="transparent"/><text x="0" y="${y + 9}" font-size="11" font-weight="bold" fill="currentColor">${escapeHtml(rowTitle(g).slice(0, 30))}</text>` +
        `<text x="0" y="${y + 22}" font-size="10" fill="currentColor" opacity="0.75">${kept}/${units} ${heads ? 'heads ' : ''}kept</text>${cells.join('')}</g>`,
    );
    y += height + (g.place && groups[gi + 1]?.place?.block !== g.place.block ? 14 : 8);
  });
  const width = LABEL_WIDTH + widest + 4;
  return `<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" role="group" aria-label="Mask logits per gated layer; pick a layer for its histogram">${rows.join('')}</svg>`;
}

// ---- tables ----

function metricsRow(name: string, m: EvalMetrics): string {
  return `<tr><td>${escapeHtml(name)}</td><td>${formatPercent(m.unbiasedAccuracy)}</td><td>${formatPercent(m.alignedAccuracy)}</td><td>${formatPercent(m.conflictingAccuracy)}</td><td>${formatPercent(m.worstGroupAccuracy)}</td></tr>`;
}

/**
 * A report figure as the panel shows it: without its embedded <style>, which the panel's CSP would refuse (and
 * log); the panel's own stylesheet carries the same role rules, coloured from the VS Code theme (host/webview-html.ts).
 */
export function panelFigure(svg: string): string {
  return svg.replace(/<style>[^<]*<\/style>\n?/, '');
}

export function renderMetricsTable(report: BiseReport): string {
  const rows = comparedModels(report.metrics).map((c) => metricsRow(c.name, c.metrics));
  return `<table class="metrics"><thead><tr><th>model</th><th>unbiased</th><th>bias-aligned</th><th>bias-conflicting</th><th>worst group</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderPruningTable(report: BiseReport): string {
  const p = report.pruning;
  const row = (what: string, before: string, after: string, removed: string): string => `<tr><td>${what}</td><td>${before}</td><td>${after}</td><td>${removed}</td></tr>`;
  return (
    `<table class="metrics"><thead><tr><th></th><th>vanilla</th><th>subnetwork</th><th>removed</th></tr></thead><tbody>` +
    row('units', formatCount(p.unitsBefore), formatCount(p.unitsAfter), formatRemoved(p.unitsBefore, p.unitsAfter)) +
    row('parameters', formatCount(p.paramsBefore), formatCount(p.paramsAfter), formatRemoved(p.paramsBefore, p.paramsAfter)) +
    row('FLOPs', formatFlops(p.flopsBefore), formatFlops(p.flopsAfter), formatRemoved(p.flopsBefore, p.flopsAfter)) +
    `</tbody></table>`
  );
}

export function renderProbeTable(report: BiseReport): string {
  const probe = report.probe;
  if (!probe) return '<p class="muted">The bias probe was not run.</p>';
  const head = `<table class="metrics"><thead><tr><th>bias probe on z</th><th>vanilla</th><th>subnetwork</th></tr></thead><tbody>`;
  const rows = [
    ['linear probe accuracy', formatPercent(probe.vanilla.linearAccuracy), formatPercent(probe.subnetwork.linearAccuracy)],
    ['MLP probe accuracy', formatPercent(probe.vanilla.mlpAccuracy), formatPercent(probe.subnetwork.mlpAccuracy)],
    ['mutual information (normalised)', formatDecimal(probe.vanilla.mutualInformation), formatDecimal(probe.subnetwork.mutualInformation)],
    ['chance', formatPercent(probe.vanilla.chance), formatPercent(probe.subnetwork.chance)],
    ...probeLayers(probe.vanilla, probe.subnetwork).map((l) => [`layer ${escapeHtml(l.label)}`, formatPercent(l.vanilla), formatPercent(l.subnetwork)]),
  ];
  return `${head}${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>${renderProbePerBiasTable(report)}`;
}

/** With several bias attributes: the probe on z for each, vanilla → subnetwork (as report.md); '' otherwise. */
export function renderProbePerBiasTable(report: BiseReport): string {
  const rows = probePerBiasRows(report);
  if (rows.length === 0) return '';
  const table = htmlTable(PROBE_PER_BIAS_COLUMNS.map(escapeHtml), rows.map((r) => htmlRow([escapeHtml(r.name), ...r.numbers])));
  return `<h3>Bias probe per attribute</h3><p class="muted">${escapeHtml(probePerBiasIntro(report))}</p>${table}`;
}

export function reportHeadline(report: BiseReport): string {
  const v = report.metrics.vanilla.unbiasedAccuracy;
  const s = report.metrics.subnetwork.unbiasedAccuracy;
  return (
    `Unbiased test accuracy ${formatPercent(v)} → <strong>${formatPercent(s)}</strong> with ${formatCount(report.pruning.unitsAfter)} of ` +
    `${formatCount(report.pruning.unitsBefore)} units (${formatRemoved(report.pruning.paramsBefore, report.pruning.paramsAfter)} of the parameters removed), ` +
    `${escapeHtml(report.data.name)}, selected epoch ${report.selection.epoch}, ${formatDuration(report.timings.totalSeconds)}.`
  );
}

// ---- the set-up form ----

interface FieldSpec {
  readonly field: Exclude<FormField, 'dataset' | 'probe' | 'selection' | 'provider' | 'biasFrom'>;
  readonly label: string;
  readonly help: string;
  /** Shown only for these dataset kinds (default: all). */
  readonly kinds?: readonly DatasetOption['kind'][];
}

const BUILTIN: readonly DatasetOption['kind'][] = ['biased-mnist', 'multi-color-mnist', 'corrupted-fashion-mnist'];

export const DATA_FIELDS: readonly FieldSpec[] = [
  {
    field: 'rho',
    label: 'ρ (bias alignment of the training set)',
    help: 'share of training samples whose bias (background colour, or corruption) matches the class; validation and test use 0.1',
    kinds: ['biased-mnist', 'corrupted-fashion-mnist'],
  },
  { field: 'rhoLeft', label: 'ρ left', help: 'alignment of the left background colour', kinds: ['multi-color-mnist'] },
  { field: 'rhoRight', label: 'ρ right', help: 'alignment of the right background colour', kinds: ['multi-color-mnist'] },
  { field: 'trainSize', label: 'Training samples', help: 'train + validation + test ≤ 10,000 bundled digits (60,000 Fashion-MNIST images)', kinds: BUILTIN },
  { field: 'valSize', label: 'Validation samples', help: 'unbiased; used for model selection and the probe', kinds: BUILTIN },
  { field: 'testSize', label: 'Test samples', help: 'unbiased test set', kinds: BUILTIN },
  { field: 'dataSeed', label: 'Data seed', help: 'split and bias (colour or corruption)', kinds: BUILTIN },
];

/** Where the training bias labels come from (`bise extract --bias-from`); any dataset, since 'identify' needs no labels. */
export const BIAS_SOURCE_OPTIONS: readonly { value: string; label: string }[] = [
  { value: 'given', label: 'from the dataset' },
  { value: 'identify', label: 'identified, no bias labels (unsupervised)' },
];

export const BIAS_SOURCE_HELP = 'identified: the predicted class of a fresh copy of the model trained for 1 epoch; validation and test keep the dataset’s labels';

/** Flipping training bias labels (`--bias-noise`), for every dataset (and for identified labels too). */
export const BIAS_FIELDS: readonly FieldSpec[] = [
  { field: 'biasNoise', label: 'Flip bias labels (fraction)', help: 'robustness check: this share of the training bias labels is changed to another value; 0 = none' },
];

export const METHOD_FIELDS: readonly FieldSpec[] = [
  { field: 'maxEpochs', label: 'Max epochs', help: 'the τ schedule usually ends first (τ halves every period until 0.001)' },
  { field: 'tauPeriod', label: 'τ period (epochs)', help: 'epochs between halvings of the temperature' },
  { field: 'auxEpochs', label: 'Auxiliary-head epochs', help: 'before mask learning and after every τ step' },
  { field: 'batchSize', label: 'Batch size', help: '' },
  { field: 'maskLr', label: 'Mask learning rate', help: 'SGD, momentum 0.9' },
  { field: 'maskInit', label: 'Initial mask logit', help: '0 = every unit on the keep threshold' },
  { field: 'gamma', label: 'γ (mutual-information weight)', help: '0 ablates the MI term' },
  { field: 'seed', label: 'Seed', help: 'batch order, auxiliary heads' },
  { field: 'probeEpochs', label: 'Probe epochs', help: '' },
  { field: 'randomSeeds', label: 'Random-pruning seeds', help: 'seeds of the random baseline' },
  { field: 'threads', label: 'Threads', help: 'empty = one per core' },
  { field: 'bottleneck', label: 'Bottleneck tensor', help: 'empty = the classifier’s input (detected)' },
];

function errorFor(errors: readonly FieldError[], field: ErrorTarget): string {
  const e = errors.filter((x) => x.field === field);
  return e.map((x) => `<div class="field-error" role="alert">${escapeHtml(x.message)}</div>`).join('');
}

function textField(spec: FieldSpec, form: FormValues, errors: readonly FieldError[], disabled: boolean): string {
  const invalid = errors.some((e) => e.field === spec.field) ? ' invalid' : '';
  return (
    `<div class="field"><vscode-label for="f-${spec.field}">${escapeHtml(spec.label)}</vscode-label>` +
    `<vscode-textfield id="f-${spec.field}" data-field="${spec.field}" value="${escapeHtml(form[spec.field])}"${invalid}${disabled ? ' disabled' : ''}></vscode-textfield>` +
    (spec.help ? `<vscode-form-helper>${escapeHtml(spec.help)}</vscode-form-helper>` : '') +
    `${errorFor(errors, spec.field)}</div>`
  );
}

function select(
  id: FormField,
  label: string,
  options: readonly { value: string; label: string; disabled?: boolean }[],
  value: string,
  errors: readonly FieldError[],
  disabled: boolean,
  help = '',
): string {
  const opts = options.map((o) => `<vscode-option value="${escapeHtml(o.value)}"${o.value === value ? ' selected' : ''}${o.disabled ? ' disabled' : ''}>${escapeHtml(o.label)}</vscode-option>`);
  const invalid = errors.some((e) => e.field === id) ? ' invalid' : '';
  return (
    `<div class="field"><vscode-label for="f-${id}">${escapeHtml(label)}</vscode-label>` +
    `<vscode-single-select id="f-${id}" data-field="${id}"${invalid}${disabled ? ' disabled' : ''}>${opts.join('')}</vscode-single-select>` +
    (help ? `<vscode-form-helper>${escapeHtml(help)}</vscode-form-helper>` : '') +
    `${errorFor(errors, id)}</div>`
  );
}

/** What the engine sees in the model; while the worker reads it, a line saying so. */
export function renderModelSummary(setup: SetupView): string {
  if (setup.modelError) return `<div class="banner">The model cannot be used: ${escapeHtml(setup.modelError)}</div>`;
  const m = setup.model;
  if (!m) return '<p class="muted">Reading the model…</p>';
  const units = m.groups.reduce((s, g) => s + g.units, 0);
  const tokens = m.tokenInputs && m.tokenInputs.length > 0 ? `Takes token ids (${m.tokenInputs.map(escapeHtml).join(', ')}): offered the text datasets of the workspace · ` : '';
  const attention = m.attention ?? [];
  const heads = attention.length > 0 ? ` · ${attention.length} attention blocks, ${attention.reduce((s, a) => s + a.heads, 0)} heads (gated with units heads or both)` : '';
  return (
    `<p class="muted">${tokens}Input ${escapeHtml(m.inputShape)} · ${formatCount(m.parameters)} parameters · classifier ${escapeHtml(m.classifier)} · bottleneck ${escapeHtml(m.bottleneck)} · ` +
    `${m.groups.length} gated layers, ${formatCount(units)} units (${m.groups.map((g) => `${escapeHtml(g.label)} ${g.units}`).join(', ')})${heads}</p>`
  );
}

/** Whether the start button is off: a run in progress, Restricted Mode, or a model that cannot be read. */
export function startDisabled(setup: SetupView, running: boolean): boolean {
  return running || !setup.trusted || setup.modelError !== null;
}

/** The form for `setup` with `form`'s values (the user's current ones on a re-render) and `errors` beside their fields. */
export function renderForm(setup: SetupView, form: FormValues, errors: readonly FieldError[], running: boolean): string {
  const disabled = running || !setup.trusted;
  const dataset = setup.datasets.find((d) => d.id === form.dataset);
  const kind = dataset?.kind;
  const parts: string[] = [];
  if (!setup.trusted) parts.push('<div class="info">This workspace is in Restricted Mode: BISE would run its model and read its data, so runs are disabled. Trust the workspace to run BISE.</div>');
  parts.push(`<div id="model-summary" aria-live="polite">${renderModelSummary(setup)}</div>`);
  if (setup.savedChoice) parts.push(`<p class="muted">Values loaded from ${escapeHtml(setup.savedChoice)}.</p>`);
  parts.push('<h2>Data</h2>');
  parts.push(
    select(
      'dataset',
      'Dataset',
      setup.datasets.map((d) => {
        const mismatch = modalityMismatch(d, setup.model);
        return { value: d.id, label: !d.supported ? `${d.label} — not runnable yet` : mismatch ? `${d.label} — ${mismatch}` : d.label, disabled: !d.supported || mismatch !== null };
      }),
      form.dataset,
      errors,
      disabled,
    ),
  );
  parts.push(noTextDatasetsHint(setup));
  const mismatch = dataset ? modalityMismatch(dataset, setup.model) : null;
  const why = dataset?.reason ?? mismatch;
  if (dataset) parts.push(`<p class="muted">${escapeHtml(dataset.detail)}${why ? ` <span class="error">${escapeHtml(why)}</span>` : ''}</p>`);
  if (dataset) parts.push(renderCsvColumns(dataset, form, errors, disabled));
  if (dataset) parts.push(renderTextFields(setup, dataset, form, errors, disabled));
  parts.push(`<div class="grid">${DATA_FIELDS.filter((f) => !f.kinds || (kind !== undefined && f.kinds.includes(kind))).map((f) => textField(f, form, errors, disabled)).join('')}</div>`);
  parts.push(
    `<div class="grid">${select('biasFrom', 'Training bias labels', BIAS_SOURCE_OPTIONS, form.biasFrom, errors, disabled, BIAS_SOURCE_HELP)}` +
      `${BIAS_FIELDS.map((f) => textField(f, form, errors, disabled)).join('')}</div>`,
  );
  parts.push('<h2>Method</h2>');
  parts.push(`<div class="grid">${METHOD_FIELDS.map((f) => textField(f, form, errors, disabled)).join('')}`);
  parts.push(
    select(
      'selection',
      'Mask selection',
      [
        { value: 'best-val-unbiased', label: 'best validation unbiased accuracy' },
        { value: 'last', label: 'last epoch' },
      ],
      form.selection,
      errors,
      disabled,
    ),
  );
  parts.push(renderUnits(setup, form, errors, disabled));
  parts.push(select('provider', 'Execution provider', setup.providers.map((p) => ({ value: p, label: p })), form.provider, errors, disabled));
  parts.push(`<div class="field"><vscode-checkbox id="f-probe" data-field="probe"${form.probe ? ' checked' : ''}${disabled ? ' disabled' : ''}>Run the latent bias probe</vscode-checkbox>${errorFor(errors, 'probe')}</div></div>`);
  const formErrors = errors.filter((e) => e.field === 'form');
  if (formErrors.length > 0) parts.push(`<div class="banner" role="alert">${formErrors.map((e) => escapeHtml(e.message)).join('<br>')}</div>`);
  parts.push(
    `<div class="row"><vscode-button id="start-run"${startDisabled(setup, running) ? ' disabled' : ''}>Extract unbiased subnetwork</vscode-button>` +
      `<span class="muted">${setup.busy || running ? 'A run of this model is in progress.' : 'The model is never modified; the report is written to the extension’s storage until you export it.'}</span></div>`,
  );
  return parts.join('\n');
}
