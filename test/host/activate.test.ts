/**
 * activate() only registers: the manifest's commands, the panel serializer, the model view's custom editor, the
 * output channel and the status-bar item — against a stub of the `vscode` module (no VS Code can run here). It must not load
 * onnxruntime-node into the extension host (runs happen in the worker).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Module from 'node:module';

interface Disposable {
  dispose(): void;
}

const registered: string[] = [];
const serializers: string[] = [];
const customEditors: { viewType: string; options: unknown }[] = [];
const disposable = (): Disposable => ({ dispose: () => undefined });

class Uri {
  constructor(readonly fsPath: string) {}
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(path.join(base.fsPath, ...parts));
  }
  static file(p: string): Uri {
    return new Uri(p);
  }
}

const views: string[] = [];
class EventEmitter {
  readonly event = (): Disposable => disposable();
  fire(): void {}
  dispose(): void {}
}
const watcher = () => ({ onDidCreate: disposable, onDidChange: disposable, onDidDelete: disposable, dispose: () => undefined });

const vscodeStub = {
  Uri,
  EventEmitter,
  RelativePattern: class {
    constructor(readonly base: Uri, readonly pattern: string) {}
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  workspace: { createFileSystemWatcher: watcher },
  window: {
    createOutputChannel: () => ({ appendLine: () => undefined, show: () => undefined, dispose: () => undefined }),
    createStatusBarItem: () => ({ text: '', name: '', show: () => undefined, hide: () => undefined, dispose: () => undefined }),
    createTreeView: (id: string) => {
      views.push(id);
      return disposable();
    },
    registerWebviewPanelSerializer: (viewType: string) => {
      serializers.push(viewType);
      return disposable();
    },
    registerCustomEditorProvider: (viewType: string, _provider: unknown, options: unknown) => {
      customEditors.push({ viewType, options });
      return disposable();
    },
  },
  commands: {
    registerCommand: (id: string) => {
      registered.push(id);
      return disposable();
    },
  },
};

test('activate registers every contributed command, the panel serializer and the custom editors, and loads no onnxruntime', async () => {
  const moduleWithLoad = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const original = moduleWithLoad._load;
  moduleWithLoad._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    return request === 'vscode' ? vscodeStub : original.call(this, request, parent, isMain);
  };
  try {
    const ext = (await import('../../src/host/extension')) as { activate: (c: unknown) => void; deactivate: () => void };
    const subscriptions: Disposable[] = [];
    ext.activate({ subscriptions, extensionUri: new Uri('/ext'), asAbsolutePath: (p: string) => path.join('/ext', p), globalStorageUri: new Uri('/store') });
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    assert.deepEqual([...registered].sort(), manifest.contributes.commands.map((c) => c.command).sort());
    assert.deepEqual(serializers, ['bise.panel']);
    const editors = (JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { contributes: { customEditors: { viewType: string }[] } }).contributes.customEditors;
    assert.deepEqual(customEditors.map((e) => e.viewType), editors.map((e) => e.viewType), 'every contributed custom editor has its provider');
    assert.deepEqual(customEditors[0].options, { supportsMultipleEditorsPerDocument: true });
    const contributed = (JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { contributes: { views: Record<string, { id: string }[]> } }).contributes.views;
    assert.deepEqual(views, Object.values(contributed).flat().map((v) => v.id), 'every contributed view has its provider');
    assert.ok(subscriptions.length >= registered.length + 3, 'everything registered is disposed with the extension');
    assert.ok(!Object.keys(require.cache).some((k) => k.includes(`${path.sep}onnxruntime-node${path.sep}`)), 'onnxruntime-node stays out of the extension host');
    for (const s of subscriptions) s.dispose();
    ext.deactivate();
  } finally {
    moduleWithLoad._load = original;
  }
});
