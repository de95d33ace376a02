/**
 * The BISE panel (a WebviewPanel): the set-up form of a model, the live run, and the report. It holds no run
 * logic: messages from the webview are validated and handed to the PanelHost; what the panel shows is kept in
 * a RunView so a reloaded or restored webview is rebuilt from it.
 */
import * as vscode from 'vscode';
import { receive } from '../protocol/decoders';
import { HostToWebview, PanelState, WebviewToHost, webviewToHostDecoder } from '../protocol/webview-messages';
import { makeNonce } from './nonce';
import { RunView } from './run-view';
import { modelKey } from './run-registry';
import { panelHtml } from './webview-html';

export const PANEL_VIEW_TYPE = 'bise.panel';

/** What the panel asks of the rest of the extension. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  log(line: string): void;
  /** The webview is ready for `panel`'s first messages (the host fills the form or loads the report). */
  onReady(panel: BisePanel): void;
  onMessage(panel: BisePanel, message: Exclude<WebviewToHost, { type: 'ready' }>): void;
}

/** One panel per file: on Windows and macOS two spellings of a path that differ in case are one file. */
export function panelKey(state: PanelState): string {
  return state.view === 'setup' ? `setup:${modelKey(state.modelPath)}` : `report:${modelKey(state.reportPath)}`;
}

export class BisePanel {
  private static readonly open = new Map<string, BisePanel>();
  readonly view = new RunView();
  private ready = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** Reveals the panel for `state`, creating it if needed. */
  static show(host: PanelHost, state: PanelState, title: string): BisePanel {
    const existing = BisePanel.open.get(panelKey(state));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, title, vscode.ViewColumn.Active, BisePanel.webviewOptions(host.extensionUri));
    return new BisePanel(panel, host, state, title);
  }

  /** A panel restored by the serializer after a window reload. */
  static revive(panel: vscode.WebviewPanel, host: PanelHost, state: PanelState): BisePanel {
    panel.webview.options = BisePanel.webviewOptions(host.extensionUri);
    return new BisePanel(panel, host, state, panel.title);
  }

  static find(state: PanelState): BisePanel | undefined {
    return BisePanel.open.get(panelKey(state));
  }

  static all(): BisePanel[] {
    return [...BisePanel.open.values()];
  }

  /** Scripts on; the webview may load only the extension's media/ and dist/ folders. */
  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: PanelHost,
    private stateValue: PanelState,
    title: string,
  ) {
    BisePanel.open.set(panelKey(stateValue), this);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'bise.svg');
    this.render(title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((value: unknown) => this.receive(value)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get state(): PanelState {
    return this.stateValue;
  }

  /** The panel now shows something else (a run's report): re-key it so the same report is not opened twice. */
  setState(state: PanelState, title?: string): void {
    if (BisePanel.open.get(panelKey(this.stateValue)) === this) BisePanel.open.delete(panelKey(this.stateValue));
    this.stateValue = state;
    if (!BisePanel.open.has(panelKey(state))) BisePanel.open.set(panelKey(state), this);
    if (title) this.panel.title = title;
  }

  private render(title: string): void {
    const webview = this.panel.webview;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview.js'));
    this.ready = false;
    webview.html = panelHtml({ cspSource: webview.cspSource, nonce: makeNonce(), scriptUri: script.toString(), title, state: this.stateValue });
  }

  private receive(value: unknown): void {
    const m = receive(webviewToHostDecoder, value, 'webview', (line) => this.host.log(line));
    if (!m) return;
    if (m.type === 'ready') {
      this.ready = true;
      const replay = this.view.replay();
      if (replay.length === 0) this.host.onReady(this);
      else for (const msg of replay) void this.panel.webview.postMessage(msg);
      return;
    }
    this.host.onMessage(this, m);
  }

  /** Records the message (for replay) and sends it if the webview is listening. */
  post(m: HostToWebview): void {
    if (this.disposed) return;
    switch (m.type) {
      case 'setup':
        this.view.showSetup(m);
        break;
      case 'model-summary':
        this.view.showModelSummary(m);
        break;
      case 'run-started':
        this.view.startRun(m);
        break;
      case 'job-event':
        this.view.record(m.event);
        break;
      case 'run-ended':
        this.view.endRun(m);
        break;
      case 'report':
        this.view.showReport(m);
        break;
      case 'form-errors':
        break;
    }
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (BisePanel.open.get(panelKey(this.stateValue)) === this) BisePanel.open.delete(panelKey(this.stateValue));
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
