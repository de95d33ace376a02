/**
 * The extension's behaviour behind the commands and panels: opening the form for a model, starting runs in
 * worker processes (one per model at a time), progress and status bar, exporting and opening reports.
 * Every decision that can be made without VS Code lives in the pure modules beside this file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobEvent } from '../core/bise/events';
import { DEMO } from '../core/jobs/demo-setting';
import { REPORT_JSON } from '../core/report/report-files';
import { AuditRunResult, describeDataset, ExecutionProvider, JobSpec, PROVIDERS, RunResult } from '../protocol/jobs';
import type { FormValues, HostToWebview, SetupView, WebviewToHost } from '../protocol/webview-messages';
import { detectDatasets, DetectedDataset } from './datasets';
import { exportConflict, exportReport, readAnyReportFile, reportModelPath } from './export-report';
import { isAuditReport } from '../core/report/audit-schema';
import { auditDatasets, auditExportFolder, auditMessage, auditRunFolder, buildAuditJob } from './audit-job';
import { buildExtractJob, defaultForm, summarizeErrors } from './form';
import { ModelSummaryCache, requestModelSummary } from './model-summary';
import { BisePanel, PanelHost } from './panel';
import { exportFolder, runFolder } from './report-location';
import { failureNotice } from './failure-notice';
import { ProgressThrottle } from './run-view';
import { RunRegistry } from './run-registry';
import { loadSavedChoice, saveChoice } from './saved-choice';
import { RunOutcome, startWorker, WorkerRun } from './worker-client';
import { memoryMbSetting } from './memory-setting';
import { savedTokenizer, tokenizerOptions } from './tokenizer-options';

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

export class BiseController implements PanelHost, vscode.Disposable {
  private readonly runs = new RunRegistry<WorkerRun>();
  /** Datasets found for each open form, by model path (ids are resolved against these when a run starts). */
  private readonly datasets = new Map<string, DetectedDataset[]>();
  /** Tokenizers the user picked in the file dialog, by model path (offered with the one next to the model). */
  private readonly tokenizerPicks = new Map<string, string[]>();
  /** The forms' model summaries, read by a worker process (never on the extension host's thread). */
  private readonly summaries = new ModelSummaryCache(
    (modelPath) =>
      requestModelSummary(modelPath, {
        workerPath: this.context.asAbsolutePath(path.join('dist', 'worker.js')),
        onReady: (providers) => (this.knownProviders = providers),
        onLog: (line) => this.log(line),
      }),
    fileStamp,
  );

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly status: vscode.StatusBarItem,
  ) {}

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  log(line: string): void {
    this.output.appendLine(`${new Date().toISOString().slice(11, 19)} ${line}`);
  }

  private config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('bise');
  }

  /**
   * The providers the last worker reported (the extension host never loads onnxruntime-node: a native crash
   * there would take VS Code's extensions down). Before the first run every provider is offered; the engine
   * falls back to cpu with a message when one is missing.
   */
  private knownProviders: readonly ExecutionProvider[] | null = null;

  private providers(): readonly ExecutionProvider[] {
    return this.knownProviders ?? PROVIDERS;
  }

  private requireTrust(what: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage(`BISE: ${what} runs the workspace's ONNX model and reads its data, so it is disabled in Restricted Mode. Trust this workspace to use it.`, 'Manage Workspace Trust').then((c) => {
      if (c) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  // ---- commands ----

  /** bise.extractSubnetwork: the form for a model (from the explorer, the editor title or the active tab). */
  async extractSubnetwork(uri?: vscode.Uri): Promise<void> {
    if (!this.requireTrust('Extract unbiased subnetwork')) return;
    const model = uri ?? activeOnnx() ?? (await pickOnnx());
    if (!model) return;
    if (model.scheme !== 'file') {
      void vscode.window.showErrorMessage(`BISE reads models from the local file system; '${model.toString()}' is not a local file.`);
      return;
    }
    const panel = BisePanel.show(this, { view: 'setup', modelPath: model.fsPath }, `BISE: ${path.basename(model.fsPath)}`);
    if (panel.view.replay().length > 0) return;
    this.showSetup(panel, model.fsPath);
  }

  /**
   * bise.auditModel: accuracy per group, fairness and the bias probe of a model, without mask learning. The data
   * is picked from the datasets the form offers (the saved choice first, with its sizes and settings); the report
   * opens as Markdown.
   */
  async auditModel(uri?: vscode.Uri): Promise<void> {
    if (!this.requireTrust('Audit model for bias')) return;
    const model = uri ?? activeOnnx() ?? (await pickOnnx('Audit model for bias'));
    if (!model) return;
    if (model.scheme !== 'file') {
      void vscode.window.showErrorMessage(`BISE reads models from the local file system; '${model.toString()}' is not a local file.`);
      return;
    }
    const modelPath = model.fsPath;
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const found = detectDatasets(roots);
    const saved = loadSavedChoice(modelPath);
    const form = saved.kind === 'loaded' ? saved.form : defaultForm(this.defaultProvider());
    const offered = auditDatasets(found, saved.kind === 'loaded' ? saved.form.dataset : null);
    const picked = await vscode.window.showQuickPick(
      offered.map((d, i) => ({ label: d.option.label, detail: d.option.detail, description: i === 0 && saved.kind === 'loaded' && d.option.id === form.dataset ? 'saved choice' : undefined, id: d.option.id })),
      { title: `BISE: audit ${path.basename(modelPath)} on…`, placeHolder: 'the dataset to measure accuracy per group, fairness and the bias probe on' },
    );
    if (!picked) return;
    const outDir = auditRunFolder(runFolder(this.context.globalStorageUri.fsPath, modelPath));
    const built = buildAuditJob(form, picked.id, { modelPath, datasets: found, providers: this.providers(), outDir });
    if (!built.ok) {
      void vscode.window.showErrorMessage(`BISE: cannot audit on ${picked.label}: ${summarizeErrors(built.errors)}. Open "Extract Unbiased Subnetwork" to fix these settings; the audit uses the saved choice.`);
      return;
    }
    const job = { ...built.job, ...(built.job.threads === undefined ? this.threads() : {}) };
    this.startRun(null, modelPath, job, `audit of ${path.basename(modelPath)} on ${describeDataset(job.data)}`, null);
  }

  /** bise.runDemo: the bundled model on BiasedMNIST with the short demo schedule, straight away. */
  runDemo(): void {
    if (!this.requireTrust('The demo')) return;
    const panel = BisePanel.show(this, { view: 'setup', modelPath: DEMO.modelPath }, 'BISE: demo');
    const outDir = runFolder(this.context.globalStorageUri.fsPath, DEMO.modelPath);
    const provider = this.defaultProvider();
    this.startRun(panel, DEMO.modelPath, { kind: 'demo', outDir, seed: 0, provider, ...this.threads(), ...this.memoryMb() }, `demo: ${path.basename(DEMO.modelPath)} on BiasedMNIST ρ=${DEMO.data.rho} (${DEMO.summary})`, null);
  }

  /** bise.openReport: a report.json in the panel (allowed in Restricted Mode: it only reads and validates JSON). */
  async openReport(uri?: vscode.Uri): Promise<void> {
    const target = uri ?? (await pickReport());
    if (!target) return;
    const reportPath = target.fsPath.endsWith('.json') ? target.fsPath : path.join(target.fsPath, REPORT_JSON);
    let json: string;
    try {
      json = fs.readFileSync(reportPath, 'utf8');
      // The panel shows extractions; an audit is read as its report.md.
      if (isAuditReport(readAnyReportFile(reportPath))) return void openMarkdown(path.join(path.dirname(reportPath), 'report.md'));
    } catch (e) {
      void vscode.window.showErrorMessage(`BISE: cannot open ${reportPath}: ${(e as Error).message}`);
      return;
    }
    const panel = BisePanel.show(this, { view: 'report', reportPath }, `BISE report: ${path.basename(path.dirname(reportPath))}`);
    panel.post({ type: 'report', json, folder: path.dirname(reportPath), exportedTo: null });
  }

  /** bise.exportReport: the report of the active (or only) report panel into the workspace. */
  async exportActiveReport(): Promise<void> {
    const panels = BisePanel.all().filter((p) => p.state.view === 'report');
    const panel = panels.find((p) => p.panel.active) ?? (panels.length === 1 ? panels[0] : undefined);
    if (!panel || panel.state.view !== 'report') {
      void vscode.window.showInformationMessage('BISE: open a report first (run BISE on a model, or open a report.json), then export it.');
      return;
    }
    await this.exportFromPanel(panel);
  }

  /** bise.cancelRun */
  async cancelRun(): Promise<void> {
    const active = this.runs.active();
    if (active.length === 0) {
      void vscode.window.showInformationMessage('BISE: no run in progress.');
      return;
    }
    const pick = active.length === 1 ? active[0] : (await vscode.window.showQuickPick(active.map((r) => ({ label: path.basename(r.modelPath), description: r.modelPath, run: r }))))?.run;
    pick?.handle.cancel();
  }

  showLog(): void {
    this.output.show(true);
  }

  // ---- panel messages ----

  onReady(panel: BisePanel): void {
    const state = panel.state;
    if (state.view === 'setup') this.showSetup(panel, state.modelPath);
    else {
      try {
        const json = fs.readFileSync(state.reportPath, 'utf8');
        panel.post({ type: 'report', json, folder: path.dirname(state.reportPath), exportedTo: null });
      } catch (e) {
        panel.post({ type: 'run-ended', outcome: 'failed', message: `cannot read ${state.reportPath}: ${(e as Error).message}`, log: [] });
      }
    }
  }

  onMessage(panel: BisePanel, m: Exclude<WebviewToHost, { type: 'ready' }>): void {
    switch (m.type) {
      case 'run':
        this.runFromForm(panel, m.form);
        return;
      case 'cancel': {
        const model = this.panelModel(panel);
        if (model) this.runs.get(model)?.handle.cancel();
        return;
      }
      case 'export-report':
        void this.exportFromPanel(panel);
        return;
      case 'open-markdown':
        if (panel.state.view === 'report') void openMarkdown(path.join(path.dirname(panel.state.reportPath), 'report.md'));
        return;
      case 'pick-tokenizer':
        void this.pickTokenizer(panel);
        return;
    }
  }

  /** The tokenizers a form offers besides the one next to the model: the saved choice's, then those picked. */
  private extraTokenizers(modelPath: string, saved: { readonly tokenizer?: string } | null): string[] {
    return [...(saved ? savedTokenizer(saved) : []), ...(this.tokenizerPicks.get(path.resolve(modelPath)) ?? [])];
  }

  /** "Browse…" next to the tokenizer: the host's file dialog, so the path never comes from the page. */
  private async pickTokenizer(panel: BisePanel): Promise<void> {
    if (panel.state.view !== 'setup') return;
    const modelPath = panel.state.modelPath;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Hugging Face tokenizer': ['json'] }, openLabel: 'Use this tokenizer', defaultUri: vscode.Uri.file(path.dirname(modelPath)) });
    const file = picked?.[0];
    if (!file || file.scheme !== 'file' || panel.isDisposed) return;
    const key = path.resolve(modelPath);
    this.tokenizerPicks.set(key, [...(this.tokenizerPicks.get(key) ?? []), file.fsPath]);
    const saved = loadSavedChoice(modelPath);
    const tokenizers = tokenizerOptions(modelPath, this.extraTokenizers(modelPath, saved.kind === 'loaded' ? saved.form : null));
    panel.post({ type: 'tokenizers', modelPath, tokenizers, selected: path.resolve(file.fsPath) });
  }

  private panelModel(panel: BisePanel): string | undefined {
    if (panel.state.view === 'setup') return panel.state.modelPath;
    return this.runs.active().find((r) => BisePanel.find({ view: 'setup', modelPath: r.modelPath }) === panel)?.modelPath;
  }

  // ---- the form ----

  private defaultProvider(): ExecutionProvider {
    const p = this.config().get<string>('executionProvider', 'cpu') as ExecutionProvider;
    return PROVIDERS.includes(p) ? p : 'cpu';
  }

  private threads(): { threads?: number } {
    const t = this.config().get<number>('threads', 0);
    return Number.isInteger(t) && t > 0 ? { threads: t } : {};
  }

  /** bise.memoryMb for the jobs that run the mask step (an audit runs none). */
  private memoryMb(): { memoryMb?: number } {
    return memoryMbSetting(this.config().get<number>('memoryMb', 0));
  }

  /** The form at once, then the model's summary when the worker has read it. */
  private showSetup(panel: BisePanel, modelPath: string): void {
    panel.post(this.setupMessage(modelPath));
    void this.summaries.get(modelPath).then((summary) => {
      if (summary.error !== null) this.log(`cannot read ${modelPath}: ${summary.error}`);
      const state = panel.state;
      if (panel.isDisposed || state.view !== 'setup' || path.resolve(state.modelPath) !== path.resolve(modelPath)) return;
      panel.post({ type: 'model-summary', modelPath, model: summary.model, error: summary.error });
    });
  }

  private setupMessage(modelPath: string): HostToWebview {
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const found = detectDatasets(roots);
    this.datasets.set(path.resolve(modelPath), found);
    const saved = loadSavedChoice(modelPath);
    if (saved.kind === 'invalid') this.log(`ignored ${saved.file}: ${saved.problem}`);
    const tokenizers = tokenizerOptions(modelPath, this.extraTokenizers(modelPath, saved.kind === 'loaded' ? saved.form : null));
    const setup: SetupView = {
      modelPath,
      modelName: path.basename(modelPath),
      model: null,
      modelError: null,
      datasets: found.map((d) => d.option),
      providers: this.providers(),
      form: saved.kind === 'loaded' ? saved.form : defaultForm(this.defaultProvider()),
      savedChoice: saved.kind === 'loaded' ? saved.file : null,
      busy: this.runs.isRunning(modelPath),
      trusted: vscode.workspace.isTrusted,
      tokenizers,
    };
    return { type: 'setup', setup };
  }

  private runFromForm(panel: BisePanel, form: FormValues): void {
    if (panel.state.view !== 'setup') return;
    if (!this.requireTrust('Extract unbiased subnetwork')) return;
    const modelPath = panel.state.modelPath;
    const datasets = this.datasets.get(path.resolve(modelPath)) ?? detectDatasets([]);
    const outDir = runFolder(this.context.globalStorageUri.fsPath, modelPath);
    const saved = loadSavedChoice(modelPath);
    const tokenizers = this.extraTokenizers(modelPath, saved.kind === 'loaded' ? saved.form : null);
    const built = buildExtractJob(form, { modelPath, datasets, providers: this.providers(), outDir, tokenizers });
    if (!built.ok) {
      panel.post({ type: 'form-errors', errors: built.errors });
      return;
    }
    if (this.config().get<boolean>('saveFormChoice', true)) {
      try {
        const file = saveChoice(modelPath, form);
        this.log(`saved the form choice to ${file}`);
      } catch (e) {
        this.log(`could not save the form choice next to the model: ${(e as Error).message}`);
      }
    }
    const job = { ...built.job, ...(built.job.threads === undefined ? this.threads() : {}), ...this.memoryMb() };
    this.startRun(panel, modelPath, job, `${path.basename(modelPath)} on ${describeDataset(job.data)}`, job.config.maxEpochs);
  }

  // ---- runs ----

  /** `panel` is null for a run without one (an audit: progress in a notification, the report as Markdown). */
  private startRun(panel: BisePanel | null, modelPath: string, job: JobSpec, title: string, maxEpochs: number | null): void {
    const refusal = this.runs.refusal(modelPath);
    if (refusal !== null) {
      panel?.post({ type: 'form-errors', errors: [{ field: 'form', message: refusal }] });
      void vscode.window.showWarningMessage(`BISE: ${refusal}`);
      return;
    }
    fs.mkdirSync(path.dirname(job.outDir), { recursive: true });
    this.log(`run started: ${title}; report folder ${job.outDir}`);
    panel?.post({ type: 'run-started', title, maxEpochs });
    const toPanel = new ProgressThrottle((event) => panel?.post({ type: 'job-event', event }));
    let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
    const onEvent = (event: JobEvent): void => {
      toPanel.push(event);
      this.logEvent(event);
      const text = statusText(event, maxEpochs);
      if (text) {
        this.status.text = `$(sync~spin) BISE ${text}`;
        progress?.report({ message: text, increment: event.type === 'epoch' && maxEpochs ? 100 / maxEpochs : undefined });
      }
    };
    const run = startWorker(job, {
      workerPath: this.context.asAbsolutePath(path.join('dist', 'worker.js')),
      onEvent,
      onReady: (providers) => (this.knownProviders = providers),
      onLog: (line) => this.log(line),
    });
    const registered = this.runs.begin(modelPath, run);
    if (!registered.ok) throw new Error(registered.message); // cannot happen: checked above, nothing ran in between
    this.status.text = '$(sync~spin) BISE starting…';
    this.status.tooltip = `BISE: ${title} (click to cancel)`;
    this.status.command = 'bise.cancelRun';
    this.status.show();
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `BISE: ${title}`, cancellable: true }, (p, token) => {
      progress = p;
      token.onCancellationRequested(() => run.cancel());
      return run.outcome.then(() => undefined);
    });
    void run.outcome.then((outcome) => {
      toPanel.flush();
      registered.release();
      this.updateStatusAfterRun();
      this.finishRun(panel, modelPath, outcome);
    });
  }

  private updateStatusAfterRun(): void {
    if (this.runs.active().length === 0) this.status.hide();
  }

  private logEvent(e: JobEvent): void {
    if (e.type === 'log') this.log(`[${e.level}] ${e.message}`);
    else if (e.type === 'epoch') {
      const val = e.valUnbiasedAccuracy === null ? '' : ` val unbiased ${percent(e.valUnbiasedAccuracy)}`;
      this.log(`epoch ${e.epoch}: τ=${e.tau} loss ${e.loss.toFixed(4)} (CE ${e.crossEntropy.toFixed(4)}, MI ${e.mutualInformation.toFixed(4)})${val}, kept ${e.keptUnits}/${e.totalUnits} units, ${e.seconds.toFixed(1)} s`);
    } else if (e.type === 'progress' && e.done === 0 && e.message) this.log(`${e.phase}: ${e.message}`);
  }

  private finishRun(panel: BisePanel | null, modelPath: string, outcome: RunOutcome): void {
    if (outcome.kind === 'cancelled') {
      this.log('run cancelled; nothing was written');
      panel?.post({ type: 'run-ended', outcome: 'cancelled', message: 'Cancelled; nothing was written.', log: [] });
      return;
    }
    if (outcome.kind === 'failed') {
      this.log(`run failed: ${outcome.message}`);
      for (const line of outcome.log) this.log(`  ${line}`);
      panel?.post({ type: 'run-ended', outcome: 'failed', message: outcome.message, log: [...outcome.log] });
      const notice = failureNotice(outcome.message, outcome.log);
      void vscode.window.showErrorMessage(notice.text, ...notice.actions).then((c) => c && this.showLog());
      return;
    }
    if (outcome.kind === 'audited') return this.audited(modelPath, outcome.result);
    if (panel) this.completed(panel, modelPath, outcome.result);
  }

  private audited(modelPath: string, result: AuditRunResult): void {
    const message = auditMessage(result.summary);
    this.log(`audit done: ${message}; report in ${result.folder}`);
    void openMarkdown(path.join(result.folder, 'report.md'));
    void vscode.window.showInformationMessage(`BISE audit of ${path.basename(modelPath)}: ${message}`, 'Export into the Repo', 'Show Log').then((c) => {
      if (c === 'Export into the Repo') void this.exportReportFile(result.reportPath, modelPath, null);
      else if (c === 'Show Log') this.showLog();
    });
  }

  private completed(panel: BisePanel, modelPath: string, result: RunResult): void {
    const s = result.summary;
    const message = `subnetwork ${percent(s.subnetworkUnbiasedAccuracy)} unbiased accuracy (vanilla ${percent(s.vanillaUnbiasedAccuracy)}), ${s.unitsAfter} of ${s.unitsBefore} units kept, ${s.seconds.toFixed(0)} s`;
    this.log(`run done: ${message}; report in ${result.folder}`);
    panel.post({ type: 'run-ended', outcome: 'done', message, log: [] });
    let json: string;
    try {
      json = fs.readFileSync(result.reportPath, 'utf8');
    } catch (e) {
      void vscode.window.showErrorMessage(`BISE finished but its report cannot be read: ${(e as Error).message}`);
      return;
    }
    this.exportSources.set(path.resolve(result.reportPath), modelPath);
    panel.setState({ view: 'report', reportPath: result.reportPath }, `BISE report: ${path.basename(modelPath)}`);
    panel.post({ type: 'report', json, folder: result.folder, exportedTo: null });
    void vscode.window.showInformationMessage(`BISE: ${message}`, 'Export into the Repo', 'Show Log').then((c) => {
      if (c === 'Export into the Repo') void this.exportFromPanel(panel);
      else if (c === 'Show Log') this.showLog();
    });
  }

  /** The model of each report a run produced (reports opened from disk name theirs in report.json). */
  private readonly exportSources = new Map<string, string>();

  private async exportFromPanel(panel: BisePanel): Promise<void> {
    if (panel.state.view !== 'report') return;
    await this.exportReportFile(panel.state.reportPath, this.exportSources.get(path.resolve(panel.state.reportPath)), panel);
  }

  /** Writes a run's report (extraction or audit) into the workspace; `panel`, if any, shows where it went. */
  private async exportReportFile(reportPath: string, knownModel: string | undefined, panel: BisePanel | null): Promise<void> {
    if (!this.requireTrust('Export report')) return;
    let modelPath = knownModel;
    let audit: boolean;
    try {
      const report = readAnyReportFile(reportPath);
      audit = isAuditReport(report);
      modelPath ??= reportModelPath(reportPath, report);
    } catch (e) {
      void vscode.window.showErrorMessage(`BISE: cannot export: ${(e as Error).message}`);
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(modelPath)) ?? vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (!folder) {
      void vscode.window.showErrorMessage('BISE: open a folder (the repository) to export the report into it.');
      return;
    }
    let dest: string;
    try {
      dest = exportFolder(folder.uri.fsPath, vscode.workspace.getConfiguration('bise', folder.uri).get<string>('reportsFolder'), modelPath);
      if (audit) dest = auditExportFolder(dest);
    } catch (e) {
      void vscode.window.showErrorMessage(`BISE: ${(e as Error).message}`);
      return;
    }
    const conflict = exportConflict(dest);
    if (conflict.kind === 'refuse') {
      void vscode.window.showErrorMessage(`BISE: cannot export: ${conflict.message}`);
      return;
    }
    if (conflict.kind === 'replace') {
      const rel = vscode.workspace.asRelativePath(dest);
      const ok = await vscode.window.showWarningMessage(`BISE: ${rel} already holds a BISE report. Replace it?`, { modal: true }, 'Replace');
      if (ok !== 'Replace') return;
    }
    try {
      const result = exportReport(path.dirname(reportPath), dest, modelPath, conflict.kind === 'replace');
      this.log(`exported the report to ${result.folder}`);
      const json = fs.readFileSync(path.join(result.folder, REPORT_JSON), 'utf8');
      panel?.post({ type: 'report', json, folder: path.dirname(reportPath), exportedTo: result.folder });
      await openMarkdown(result.reportMd);
    } catch (e) {
      void vscode.window.showErrorMessage(`BISE: export failed: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    for (const r of this.runs.active()) r.handle.dispose();
  }
}

/** Size and modification time of a file (null if it cannot be read): a changed model is described again. */
function fileStamp(file: string): string | null {
  try {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

function statusText(e: JobEvent, maxEpochs: number | null): string | undefined {
  if (e.type === 'epoch') return `epoch ${e.epoch}${maxEpochs ? `/${maxEpochs}` : ''} · τ ${Number(e.tau.toPrecision(3))} · kept ${e.keptUnits}/${e.totalUnits}`;
  if (e.type === 'progress' && e.done === 0) return e.message ? `${e.phase}: ${e.message}` : e.phase;
  if (e.type === 'progress' && e.phase !== 'extract' && e.total > 0) return `${e.phase} ${e.done}/${e.total}`;
  return undefined;
}

function activeOnnx(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  return uri && uri.path.toLowerCase().endsWith('.onnx') ? uri : undefined;
}

async function pickOnnx(openLabel = 'Extract unbiased subnetwork'): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'ONNX models': ['onnx'] }, openLabel });
  return picked?.[0];
}

async function pickReport(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'BISE report': ['json'] }, openLabel: 'Open BISE report' });
  return picked?.[0];
}

async function openMarkdown(file: string): Promise<void> {
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
}
