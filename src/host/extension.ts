/**
 * Extension entry: registers the commands, the panel serializer, the model view of `*.onnx` files, the Runs view, the
 * output channel and the status-bar item.
 * Nothing runs at activation; the behaviour is in controller.ts and the pure modules beside it.
 */
import * as vscode from 'vscode';
import { receive } from '../protocol/decoders';
import { panelStateDecoder } from '../protocol/webview-messages';
import { CONVERT_SCRIPT } from './checkpoint-command-line';
import { convertCheckpoint } from './checkpoint-convert';
import { BiseController } from './controller';
import { registerModelEditor } from './model-editor';
import { BisePanel, PANEL_VIEW_TYPE } from './panel';
import { restorablePanelState } from './restored-state';
import { RUNS_VIEW_ID, RunsView, compareRuns } from './runs-view';

let controller: BiseController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('BISE');
  const status = vscode.window.createStatusBarItem('bise.run', vscode.StatusBarAlignment.Left, 10);
  status.name = 'BISE run';
  controller = new BiseController(context, output, status);
  const c = controller;
  const runs = new RunsView(context.globalStorageUri.fsPath);
  context.subscriptions.push(
    output,
    status,
    c,
    runs,
    vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: runs, canSelectMany: true, showCollapseAll: false }),
    registerModelEditor(context, (line) => c.log(line)),
    vscode.commands.registerCommand('bise.refreshRuns', () => runs.refresh()),
    vscode.commands.registerCommand('bise.compareRuns', (clicked?: unknown, selected?: unknown) =>
      compareRuns(context.globalStorageUri.fsPath, clicked as Parameters<typeof compareRuns>[1], Array.isArray(selected) ? selected : undefined),
    ),
    vscode.commands.registerCommand('bise.extractSubnetwork', (uri?: vscode.Uri) => c.extractSubnetwork(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('bise.auditModel', (uri?: vscode.Uri) => c.auditModel(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('bise.runDemo', () => c.runDemo()),
    vscode.commands.registerCommand('bise.convertCheckpoint', (uri?: vscode.Uri) =>
      convertCheckpoint({ scriptPath: context.asAbsolutePath(CONVERT_SCRIPT), log: (line) => c.log(line), showLog: () => c.showLog() }, uri instanceof vscode.Uri ? uri : undefined),
    ),
    vscode.commands.registerCommand('bise.openReport', (uri?: vscode.Uri) => c.openReport(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('bise.exportReport', () => c.exportActiveReport()),
    vscode.commands.registerCommand('bise.cancelRun', () => c.cancelRun()),
    vscode.commands.registerCommand('bise.showLog', () => c.showLog()),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const restored = receive(panelStateDecoder, state, 'saved panel state', (line) => c.log(line));
        if (!restored) {
          panel.dispose();
          return;
        }
        const roots = [
          ...(vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
          context.globalStorageUri.fsPath,
          context.extensionUri.fsPath,
        ];
        const checked = restorablePanelState(restored, roots);
        if (!checked.ok) {
          c.log(`did not restore a BISE panel: ${checked.reason}`);
          panel.dispose();
          return;
        }
        BisePanel.revive(panel, c, checked.state);
      },
    }),
  );
}

export function deactivate(): void {
  controller?.dispose();
  controller = undefined;
}
