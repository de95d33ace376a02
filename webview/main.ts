/**
 * The BISE panel's script (bundled to dist/webview.js). It validates every message from the host against the
 * protocol, keeps what it shows in one model, and re-renders the affected section once per animation frame.
 * Figures: the core's SVG renderers (training curves, accuracy, probe) and the hover-able mask heatmap of
 * render.ts. Sends: ready, run, cancel, export-report, open-markdown, pick-tokenizer.
 */
import '@vscode-elements/elements/dist/bundled.js';
import type { JobEvent, MasksEvent, ProgressEvent } from '../src/core/bise/events';
import { parseReport, BiseReport, EpochRecord } from '../src/core/report/schema';
import { renderAccuracyChart } from '../src/core/report/svg/accuracy-chart';
import { renderProbeChart } from '../src/core/report/svg/probe-chart';
import { renderTrainingCurves } from '../src/core/report/svg/training-curves';
import { receive } from '../src/protocol/decoders';
import type { CsvColumnChoice, TextColumnChoice } from '../src/protocol/jobs';
import {
  FORM_FIELDS,
  TEXT_FORM_FIELDS,
  FieldError,
  FormValues,
  HostReport,
  HostRunEnded,
  HostToWebview,
  PanelState,
  SetupView,
  WebviewToHost,
  hostToWebviewDecoder,
  panelStateDecoder,
} from '../src/protocol/webview-messages';
import { biasList } from './csv-columns';
import { renderMaskFigure } from './histogram';
import { renderBiasLabelsTable, renderPerBiasTables } from './render-bias';
import { fittingDataset } from './text-fields';
import { HeatmapGroup, cellInfo, epochRecord, escapeHtml, panelFigure, placeGroups, renderForm, renderModelSummary, startDisabled, renderMetricsTable, renderProbeTable, renderPruningTable, reportHeadline } from './render';
import { renderBlocksTable } from './render-blocks';
import { isTextData } from '../src/core/report/transformer-blocks';

const vscode = acquireVsCodeApi();
const send = (m: WebviewToHost): void => vscode.postMessage(m);

interface Model {
  setup: SetupView | null;
  form: FormValues | null;
  errors: readonly FieldError[];
  run: {
    title: string;
    maxEpochs: number | null;
    epochs: EpochRecord[];
    masks: MasksEvent | null;
    progress: ProgressEvent | null;
    logs: string[];
    ended: HostRunEnded | null;
  } | null;
  report: { report: BiseReport; message: HostReport } | null;
  reportError: string | null;
}

const model: Model = { setup: null, form: null, errors: [], run: null, report: null, reportError: null };
/** The groups the heatmap shows now (for the tooltip). */
let heatmapGroups: readonly HeatmapGroup[] = [];
/** The heatmap row whose histogram is shown (index into heatmapGroups), or null. */
let selectedLayer: number | null = null;

const app = document.getElementById('app') as HTMLElement;
const tooltip = document.getElementById('tooltip') as HTMLElement;

// ---- layout ----

app.innerHTML = `
<h1 id="title">BISE</h1>
<section id="setup"></section>
<section id="run" hidden>
  <h2>Run</h2>
  <div id="run-status"></div>
  <vscode-progress-bar id="run-progress" hidden></vscode-progress-bar>
  <div class="row"><vscode-button id="cancel" secondary>Cancel</vscode-button></div>
  <h2>Training curves</h2><div id="curves" class="figure"></div>
  <h2>Masks (live)</h2><div id="live-masks" class="figure"></div>
  <vscode-collapsible title="Log"><pre id="log" class="log"></pre></vscode-collapsible>
</section>
<section id="report" hidden></section>`;

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;

// ---- state across reloads ----

function saveState(state: PanelState): void {
  vscode.setState(state);
}

(function restoreInitialState(): void {
  const initial = receive(panelStateDecoder, safeJson(app.dataset.state ?? 'null'), 'page', (l) => console.warn(l));
  if (initial) saveState(initial);
})();

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

// ---- form ----

function readForm(): FormValues | null {
  if (!model.form) return null;
  const values: Record<string, unknown> = { ...model.form };
  for (const field of FORM_FIELDS) {
    const el = document.querySelector<HTMLElement & { value?: string; checked?: boolean }>(`[data-field="${field}"]`);
    if (!el) continue;
    values[field] = field === 'probe' ? Boolean(el.checked) : String(el.value ?? '');
  }
  // A text model's fields, where the form shows them (otherwise the values kept from before stay).
  for (const field of TEXT_FORM_FIELDS) {
    const el = document.querySelector<HTMLElement & { value?: string }>(`[data-field="${field}"]`);
    if (el) values[field] = String(el.value ?? '');
  }
  const csvColumns = readCsvColumns();
  if (csvColumns) values.csvColumns = csvColumns;
  const textColumns = readTextColumns();
  if (textColumns) values.textColumns = textColumns;
  return values as unknown as FormValues;
}

/** The text column dropdowns' values, when the chosen dataset is a text file. */
function readTextColumns(): TextColumnChoice | null {
  const one = (role: string): (HTMLElement & { value?: string }) | null => document.querySelector(`[data-text="${role}"]`);
  const text = one('text');
  const target = one('target');
  const bias = document.querySelector<HTMLElement & { value?: string[] }>('[data-text="bias"]');
  if (!text || !target || !bias) return null;
  return { text: String(text.value ?? ''), target: String(target.value ?? ''), bias: Array.isArray(bias.value) ? bias.value.map(String) : [] };
}

/** The CSV column dropdowns' values, when the chosen dataset is an image CSV. */
function readCsvColumns(): CsvColumnChoice | null {
  const one = (role: string): HTMLElement & { value?: string } | null => document.querySelector(`[data-csv="${role}"]`);
  const path = one('path');
  const target = one('target');
  const bias = document.querySelector<HTMLElement & { value?: string[] }>('[data-csv="bias"]');
  if (!path || !target || !bias) return null;
  return { path: String(path.value ?? ''), target: String(target.value ?? ''), bias: Array.isArray(bias.value) ? bias.value.map(String) : [] };
}

function renderSetup(): void {
  const s = model.setup;
  const section = $('setup');
  if (!s || !model.form) {
    section.hidden = true;
    return;
  }
  section.hidden = model.report !== null;
  $('title').textContent = `BISE: ${s.modelName}`;
  const running = model.run !== null && model.run.ended === null;
  section.innerHTML = renderForm(s, model.form, model.errors, running || s.busy);
  const datasetSelect = section.querySelector<HTMLElement & { value?: string }>('[data-field="dataset"]');
  datasetSelect?.addEventListener('change', () => {
    const current = readForm();
    if (current) {
      model.form = current;
      renderSetup();
    }
  });
  for (const kind of ['csv', 'text']) {
    const biasSelect = section.querySelector<HTMLElement & { value?: string[] }>(`[data-${kind}="bias"]`);
    biasSelect?.addEventListener('change', () => {
      const chosen = section.querySelector(`#${kind}-bias-chosen`);
      if (chosen) chosen.textContent = biasList(Array.isArray(biasSelect.value) ? biasSelect.value : []);
    });
  }
  section.querySelector('#pick-tokenizer')?.addEventListener('click', () => send({ type: 'pick-tokenizer' }));
  section.querySelector('#start-run')?.addEventListener('click', () => {
    const form = readForm();
    if (!form) return;
    model.form = form;
    model.errors = [];
    send({ type: 'run', form });
  });
}

/** The summary arrived: update its line and the start button, leaving what the user typed alone. */
function showModelSummary(setup: SetupView): void {
  const line = document.getElementById('model-summary');
  if (!line) return schedule('setup');
  line.innerHTML = renderModelSummary(setup);
  const start = document.getElementById('start-run') as (HTMLElement & { disabled?: boolean }) | null;
  if (start) start.disabled = startDisabled(setup, (model.run !== null && model.run.ended === null) || setup.busy);
}

// ---- run ----

function renderRun(): void {
  const run = model.run;
  const section = $('run');
  section.hidden = run === null;
  if (!run) return;
  const last = run.epochs[run.epochs.length - 1];
  const status: string[] = [`<p><strong>${escapeHtml(run.title)}</strong></p>`];
  if (run.ended) {
    const cls = run.ended.outcome === 'failed' ? 'banner' : 'info';
    status.push(`<div class="${cls}" role="status">${run.ended.outcome === 'failed' ? 'Failed: ' : ''}${escapeHtml(run.ended.message)}</div>`);
    if (run.ended.log.length > 0) status.push(`<pre class="log">${escapeHtml(run.ended.log.join('\n'))}</pre>`);
  } else if (run.progress) {
    const p = run.progress;
    status.push(`<p class="muted">${escapeHtml(p.phase)}${p.message ? `: ${escapeHtml(p.message)}` : ''} (${p.done}/${p.total})</p>`);
  }
  if (last) {
    status.push(
      `<p class="muted">epoch ${last.epoch}${run.maxEpochs ? ` of at most ${run.maxEpochs}` : ''} · τ ${Number(last.tau.toPrecision(3))} · loss ${last.loss.toFixed(4)} · ` +
        `val unbiased ${last.valUnbiasedAccuracy === null ? '—' : `${(100 * last.valUnbiasedAccuracy).toFixed(1)}%`} · kept ${last.keptUnits}/${last.totalUnits} units</p>`,
    );
  }
  $('run-status').innerHTML = status.join('');
  const bar = $('run-progress') as HTMLElement & { value?: number; max?: number; indeterminate?: boolean };
  bar.hidden = run.ended !== null;
  if (run.progress && run.progress.total > 0) {
    bar.indeterminate = false;
    bar.max = run.progress.total;
    bar.value = run.progress.done;
  } else bar.indeterminate = true;
  ($('cancel') as HTMLElement & { disabled?: boolean }).hidden = run.ended !== null;
  $('curves').innerHTML = run.epochs.length > 0 ? panelFigure(renderTrainingCurves(run.epochs, run.epochs[run.epochs.length - 1].epoch)) : `<p class="muted">${run.ended ? 'No epoch finished.' : 'The first epoch is on its way.'}</p>`;
  if (model.report === null) {
    // A text model's rows are named by block even when only its MLP neurons are gated.
    heatmapGroups = run.masks ? placeGroups(run.masks.groups, (model.setup?.model?.tokenInputs ?? []).length > 0) : [];
    showMasks($('live-masks'));
  }
  $('log').textContent = run.logs.join('\n');
}

$('cancel').addEventListener('click', () => send({ type: 'cancel' }));

// ---- report ----

function renderReport(): void {
  const section = $('report');
  if (model.reportError) {
    section.hidden = false;
    section.innerHTML = `<div class="banner" role="alert">${escapeHtml(model.reportError)}</div>`;
    return;
  }
  const r = model.report;
  section.hidden = r === null;
  if (!r) return;
  const { report, message } = r;
  $('title').textContent = `BISE report: ${report.model.path.split('/').pop() ?? ''}`;
  heatmapGroups = placeGroups(
    report.masks.map((m) => ({ group: m.group, label: m.label, logits: m.logits, keep: m.keep })),
    isTextData(report.config) || report.transformerBlocks !== undefined,
  );
  section.innerHTML = `
<h2>Result</h2>
<p>${reportHeadline(report)}</p>
<p class="muted">Report folder: ${escapeHtml(message.folder)}${message.exportedTo ? ` · exported to ${escapeHtml(message.exportedTo)}` : ''}</p>
<div class="row">
  <vscode-button id="export">${message.exportedTo ? 'Export again' : 'Export report into the repo'}</vscode-button>
  <vscode-button id="open-md" secondary>Open report.md</vscode-button>
</div>
<h2>Accuracy</h2>${renderMetricsTable(report)}${renderPerBiasTables(report)}${renderBiasLabelsTable(report)}<div class="figure">${panelFigure(renderAccuracyChart(report.metrics))}</div>
<h2>Pruning</h2>${renderPruningTable(report)}${renderBlocksTable(report)}
<h2>Masks (selected epoch ${report.selection.epoch})</h2><div class="figure" id="report-masks"></div>
<h2>Bias probe</h2>${renderProbeTable(report)}${report.probe ? `<div class="figure">${panelFigure(renderProbeChart(report.probe))}</div>` : ''}
<h2>Training</h2><div class="figure">${panelFigure(renderTrainingCurves(report.history, report.selection.epoch))}</div>`;
  showMasks($('report-masks'));
  section.querySelector('#export')?.addEventListener('click', () => send({ type: 'export-report' }));
  section.querySelector('#open-md')?.addEventListener('click', () => send({ type: 'open-markdown' }));
  if (model.run) $('live-masks').innerHTML = '<p class="muted">See the selected masks in the report below.</p>';
}

// ---- heatmap: histogram of a layer, tooltip ----

/** Renders the heatmap and the selected layer's histogram into `figure`, keeping the keyboard focus on its row. */
function showMasks(figure: HTMLElement): void {
  const focused = figure.contains(document.activeElement) ? document.activeElement?.getAttribute('data-row') : null;
  figure.innerHTML = renderMaskFigure(heatmapGroups, selectedLayer);
  if (focused !== null && focused !== undefined) figure.querySelector<SVGElement>(`.mask-row[data-row="${focused}"]`)?.focus();
}

function pickLayer(target: EventTarget | null): void {
  const row = (target as Element | null)?.closest?.('.mask-row');
  const figure = row?.closest<HTMLElement>('#live-masks, #report-masks');
  if (!row || !figure) return;
  const index = Number(row.getAttribute('data-row'));
  if (!Number.isInteger(index) || !heatmapGroups[index]) return;
  selectedLayer = selectedLayer === index ? null : index;
  (row as SVGElement).focus();
  showMasks(figure);
}

document.addEventListener('click', (ev) => pickLayer(ev.target));
document.addEventListener('keydown', (ev) => {
  if ((ev.key === 'Enter' || ev.key === ' ') && (ev.target as Element | null)?.closest?.('.mask-row')) {
    ev.preventDefault();
    pickLayer(ev.target);
  }
});

document.addEventListener('mousemove', (ev) => {
  const target = ev.target as Element | null;
  const g = target?.getAttribute?.('data-g');
  const u = target?.getAttribute?.('data-u');
  const text = g !== null && g !== undefined && u !== null && u !== undefined ? cellInfo(heatmapGroups, Number(g), Number(u)) : null;
  if (!text) {
    tooltip.style.display = 'none';
    return;
  }
  tooltip.textContent = text;
  tooltip.style.display = 'block';
  tooltip.style.left = `${Math.min(ev.clientX + 12, window.innerWidth - tooltip.offsetWidth - 4)}px`;
  tooltip.style.top = `${ev.clientY + 14}px`;
});

// ---- messages ----

let frame = 0;
const dirty = new Set<'setup' | 'run' | 'report'>();
function schedule(part: 'setup' | 'run' | 'report'): void {
  dirty.add(part);
  if (frame === 0) {
    frame = requestAnimationFrame(() => {
      frame = 0;
      const parts = [...dirty];
      dirty.clear();
      if (parts.includes('setup')) renderSetup();
      if (parts.includes('run')) renderRun();
      if (parts.includes('report')) renderReport();
    });
  }
}

function onEvent(e: JobEvent): void {
  const run = model.run;
  if (!run) return;
  if (e.type === 'epoch') run.epochs.push(epochRecord(e));
  else if (e.type === 'masks') run.masks = e;
  else if (e.type === 'progress') run.progress = e;
  else if (e.type === 'log') {
    run.logs.push(`[${e.level}] ${e.message}`);
    if (run.logs.length > 200) run.logs.shift();
  }
  schedule('run');
}

function handle(m: HostToWebview): void {
  switch (m.type) {
    case 'setup':
      model.setup = m.setup;
      // A replay (the worker read the model before the webview was ready) carries the summary: fit the dataset as
      // 'model-summary' does, or a text model's form opens on a disabled image dataset.
      model.form = m.setup.model ? { ...m.setup.form, dataset: fittingDataset(m.setup, m.setup.form.dataset) } : m.setup.form;
      model.errors = [];
      saveState({ view: 'setup', modelPath: m.setup.modelPath });
      schedule('setup');
      return;
    case 'model-summary': {
      if (model.setup?.modelPath !== m.modelPath) return;
      model.setup = { ...model.setup, model: m.model, modelError: m.error };
      // A text model, or one with attention heads, changes the form itself (its datasets, fields and units).
      const current = readForm();
      const dataset = current ? fittingDataset(model.setup, current.dataset) : null;
      if (current && dataset !== null && (dataset !== current.dataset || (m.model?.tokenInputs ?? []).length > 0 || (m.model?.attention ?? []).length > 0)) {
        model.form = { ...current, dataset };
        schedule('setup');
      } else showModelSummary(model.setup);
      return;
    }
    case 'tokenizers': {
      if (model.setup?.modelPath !== m.modelPath) return;
      model.setup = { ...model.setup, tokenizers: m.tokenizers };
      const current = readForm();
      if (current) model.form = { ...current, tokenizer: m.selected };
      schedule('setup');
      return;
    }
    case 'form-errors':
      model.errors = m.errors;
      schedule('setup');
      return;
    case 'run-started':
      model.run = { title: m.title, maxEpochs: m.maxEpochs, epochs: [], masks: null, progress: null, logs: [], ended: null };
      selectedLayer = null;
      model.report = null;
      model.reportError = null;
      model.errors = [];
      schedule('setup');
      schedule('run');
      schedule('report');
      return;
    case 'job-event':
      onEvent(m.event);
      return;
    case 'run-ended':
      if (model.run) model.run.ended = m;
      schedule('run');
      schedule('setup');
      return;
    case 'report':
      try {
        model.report = { report: parseReport(m.json, 'report.json'), message: m };
        model.reportError = null;
        saveState({ view: 'report', reportPath: `${m.folder}/report.json` });
      } catch (e) {
        model.report = null;
        model.reportError = `This report cannot be shown: ${(e as Error).message}`;
      }
      schedule('report');
      schedule('setup');
      return;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const m = receive(hostToWebviewDecoder, event.data, 'extension host', (line) => console.warn(`[bise] ${line}`));
  if (m) handle(m);
});

send({ type: 'ready' });
