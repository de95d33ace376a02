/**
 * The model view: a read-only custom editor for `*.onnx` files (package.json `customEditors`), so opening a model
 * shows what BISE sees in it instead of a binary-file warning. The host passes only the path to a worker process
 * (model-editor-worker.ts), which reads and analyses the file; the webview (dist/model-view.js) renders the result
 * and its buttons run the existing audit and extract commands on this file. A changed file is read again.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { receive } from '../protocol/decoders';
import { HostToModelView, modelViewToHostDecoder } from '../protocol/model-view';
import { modelViewHtml } from './model-editor-html';
import { ModelDescriptionRequest, requestModelDescription } from './model-editor-worker';
import { makeNonce } from './nonce';

export const MODEL_EDITOR_VIEW_TYPE = 'bise.modelView';

/** What a view asks of the extension: the worker that reads a model, and the output channel. */
export interface ModelEditorHost {
  readonly extensionUri: vscode.Uri;
  describe(modelPath: string): ModelDescriptionRequest;
  log(line: string): void;
}

/** The commands the view's buttons run, with the file as their argument (as from the explorer's context menu). */
export const MODEL_VIEW_COMMANDS = { audit: 'bise.auditModel', extract: 'bise.extractSubnetwork' } as const;

/** Registers the model view for `*.onnx`, reading models with the extension's dist/worker.js. */
export function registerModelEditor(context: vscode.ExtensionContext, log: (line: string) => void): vscode.Disposable {
  const workerPath = context.asAbsolutePath(path.join('dist', 'worker.js'));
  const provider = new ModelEditorProvider({ extensionUri: context.extensionUri, describe: (modelPath) => requestModelDescription(modelPath, { workerPath, onLog: log }), log });
  // Two groups may show one model; each view reads it in its own worker.
  return vscode.window.registerCustomEditorProvider(MODEL_EDITOR_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true });
}

export class ModelEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly host: ModelEditorHost) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    new ModelView(document.uri, panel, this.host);
  }
}

/** One open model view: its webview, the worker reading the file, and the watcher that reads it again on change. */
class ModelView {
  /** The last message sent, replayed when the webview is rebuilt (it keeps no state of its own). */
  private shown: HostToModelView | null = null;
  private request: ModelDescriptionRequest | null = null;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly uri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    private readonly host: ModelEditorHost,
  ) {
    const dist = vscode.Uri.joinPath(host.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist, vscode.Uri.joinPath(host.extensionUri, 'media')] };
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'model-view.js'));
    panel.webview.html = modelViewHtml({ cspSource: panel.webview.cspSource, nonce: makeNonce(), scriptUri: script.toString(), title: path.basename(uri.fsPath) });
    this.disposables.push(panel.webview.onDidReceiveMessage((value: unknown) => this.receive(value)), panel.onDidDispose(() => this.dispose()));
    if (uri.scheme === 'file') {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)));
      this.disposables.push(watcher, watcher.onDidChange(() => this.load()), watcher.onDidCreate(() => this.load()));
    }
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.trustGranted()));
  }

  /** The workspace was trusted while the view was open: the buttons come on without reading the file again. */
  private trustGranted(): void {
    if (this.shown?.type === 'description') this.post({ ...this.shown, trusted: true });
  }

  private receive(value: unknown): void {
    const m = receive(modelViewToHostDecoder, value, 'model view', (line) => this.host.log(line));
    if (!m) return;
    if (m.type === 'ready') {
      if (this.shown) this.post(this.shown);
      else this.load();
      return;
    }
    void vscode.commands.executeCommand(MODEL_VIEW_COMMANDS[m.type], this.uri);
  }

  /** Reads the file in a worker (again, after a change), showing the loading state meanwhile. */
  private load(): void {
    this.request?.dispose();
    this.request = null;
    const modelPath = this.uri.fsPath;
    if (this.uri.scheme !== 'file') {
      this.post({ type: 'unreadable', modelPath: this.uri.toString(), error: `BISE reads models from the local file system; '${this.uri.toString()}' is not a local file` });
      return;
    }
    this.post({ type: 'loading', modelPath });
    const request = this.host.describe(modelPath);
    this.request = request;
    void request.result.then((r) => {
      if (this.request !== request) return;
      this.request = null;
      if (r.description) this.post({ type: 'description', description: r.description, trusted: vscode.workspace.isTrusted });
      else this.post({ type: 'unreadable', modelPath, error: r.error });
    });
  }

  private post(m: HostToModelView): void {
    if (this.disposed) return;
    this.shown = m;
    void this.panel.webview.postMessage(m);
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.request?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
