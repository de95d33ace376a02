/**
 * Just enough of the `vscode` module for the panel and the extension's activation to run in node:test (no VS
 * Code can run here): webview panels that record what they are sent and let a test post messages into them.
 */
import * as path from 'node:path';
import Module from 'node:module';

export class Uri {
  constructor(readonly fsPath: string, readonly scheme = 'file') {}
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(path.join(base.fsPath, ...parts));
  }
  static file(p: string): Uri {
    return new Uri(p);
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export interface FakePanel {
  readonly webview: { html: string; options: unknown; cspSource: string; asWebviewUri(u: Uri): Uri; onDidReceiveMessage(h: (m: unknown) => void): { dispose(): void }; postMessage(m: unknown): Promise<boolean> };
  title: string;
  iconPath?: unknown;
  disposed: boolean;
  readonly posted: unknown[];
  /** Delivers `value` as if the webview's script had posted it. */
  receive(value: unknown): void;
  onDidDispose(h: () => void): { dispose(): void };
  reveal(): void;
  dispose(): void;
  readonly active: boolean;
}

export function fakePanel(title = 'BISE'): FakePanel {
  const handlers: ((m: unknown) => void)[] = [];
  const disposers: (() => void)[] = [];
  const panel: FakePanel = {
    title,
    disposed: false,
    active: true,
    posted: [],
    webview: {
      html: '',
      options: {},
      cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
      asWebviewUri: (u) => u,
      onDidReceiveMessage: (h) => {
        handlers.push(h);
        return { dispose: () => undefined };
      },
      postMessage: async (m) => {
        panel.posted.push(m);
        return true;
      },
    },
    receive: (value) => handlers.forEach((h) => h(value)),
    onDidDispose: (h) => {
      disposers.push(h);
      return { dispose: () => undefined };
    },
    reveal: () => undefined,
    dispose: () => {
      if (panel.disposed) return;
      panel.disposed = true;
      disposers.forEach((h) => h());
    },
  };
  return panel;
}

export interface StubState {
  readonly created: FakePanel[];
  readonly serializers: Map<string, { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }>;
  /** Custom editor providers by view type (the model view of *.onnx). */
  readonly customEditors: Map<string, unknown>;
  /** Commands run with executeCommand, with their arguments. */
  readonly executed: { command: string; args: unknown[] }[];
  /** Change and create handlers of the file watchers, by glob pattern (a RelativePattern's base/pattern). */
  readonly fileWatchers: { pattern: string; changed: (() => void)[] }[];
  /** Handlers of workspace.onDidGrantWorkspaceTrust; a test calls them after setting isTrusted. */
  readonly trustGranted: (() => void)[];
  readonly output: string[];
  readonly warnings: string[];
  workspaceFolders: { uri: Uri; name: string; index: number }[];
  isTrusted: boolean;
  /** What window.showOpenDialog answers (undefined: the user cancelled). */
  openDialog?: Uri[];
}

/** Installs the stub for every later `require('vscode')` and returns what it records. */
export function installVscodeStub(): StubState {
  const state: StubState = { created: [], serializers: new Map(), customEditors: new Map(), executed: [], fileWatchers: [], trustGranted: [], output: [], warnings: [], workspaceFolders: [], isTrusted: true };
  const disposable = { dispose: () => undefined };
  const watcher = (glob: string | { base: Uri; pattern: string }) => {
    const w = { pattern: typeof glob === 'string' ? glob : path.join(glob.base.fsPath, glob.pattern), changed: [] as (() => void)[] };
    state.fileWatchers.push(w);
    const on = (h: () => void) => {
      w.changed.push(h);
      return disposable;
    };
    return { onDidCreate: on, onDidChange: on, onDidDelete: () => disposable, dispose: () => undefined };
  };
  const stub = {
    Uri,
    EventEmitter: class {
      readonly event = () => disposable;
      fire(): void {}
      dispose(): void {}
    },
    RelativePattern: class {
      constructor(
        readonly base: Uri,
        readonly pattern: string,
      ) {}
    },
    ViewColumn: { Active: -1 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    window: {
      createWebviewPanel: (_type: string, title: string) => {
        const p = fakePanel(title);
        state.created.push(p);
        return p;
      },
      registerWebviewPanelSerializer: (viewType: string, s: { deserializeWebviewPanel(panel: unknown, state: unknown): Promise<void> }) => {
        state.serializers.set(viewType, s);
        return disposable;
      },
      registerCustomEditorProvider: (viewType: string, provider: unknown) => {
        state.customEditors.set(viewType, provider);
        return disposable;
      },
      createOutputChannel: () => ({ appendLine: (l: string) => state.output.push(l), show: () => undefined, dispose: () => undefined }),
      createStatusBarItem: () => ({ text: '', name: '', show: () => undefined, hide: () => undefined, dispose: () => undefined }),
      createTreeView: () => disposable,
      showWarningMessage: (message: string) => {
        state.warnings.push(message);
        return Promise.resolve(undefined);
      },
      showInformationMessage: () => Promise.resolve(undefined),
      showErrorMessage: () => Promise.resolve(undefined),
      showOpenDialog: () => Promise.resolve(state.openDialog),
    },
    commands: {
      registerCommand: () => disposable,
      executeCommand: (command: string, ...args: unknown[]) => {
        state.executed.push({ command, args });
        return Promise.resolve(undefined);
      },
    },
    workspace: {
      get workspaceFolders() {
        return state.workspaceFolders;
      },
      get isTrusted() {
        return state.isTrusted;
      },
      getConfiguration: () => ({ get: <T>(_k: string, d?: T) => d }),
      createFileSystemWatcher: watcher,
      onDidGrantWorkspaceTrust: (h: () => void) => {
        state.trustGranted.push(h);
        return disposable;
      },
    },
  };
  const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = loader._load;
  loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    return request === 'vscode' ? stub : original.call(this, request, parent, isMain);
  };
  return state;
}
