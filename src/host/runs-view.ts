/**
 * The BISE activity-bar view "Runs": every report folder of the workspace (exported reports) and of the extension's
 * own storage (runs not yet exported), newest first, each with its headline numbers; a click opens the report, and
 * two selected runs open side by side (run-summaries.ts makes the text).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { REPORT_JSON } from '../core/report/report-files';
import { parseAnyReport } from '../core/report/audit-schema';
import { RunSummary, UnreadableRun, compareRunsMarkdown, isUnreadable, readRunSummary, sortRuns } from './run-summaries';
import { safeSegment } from './report-location';

export const RUNS_VIEW_ID = 'bise.runs';
/** The most report.json files taken from the workspace, so a huge repo cannot stall the view. */
const MAX_WORKSPACE_REPORTS = 500;

type RunNode = RunSummary | UnreadableRun;

export class RunsView implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watchers: vscode.FileSystemWatcher[];

  constructor(private readonly storageRoot: string) {
    // A run written, exported or deleted refreshes the list.
    this.watchers = [
      vscode.workspace.createFileSystemWatcher(`**/${REPORT_JSON}`),
      vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(storageRoot), `runs/*/${REPORT_JSON}`)),
    ];
    for (const w of this.watchers) {
      w.onDidCreate(() => this.refresh());
      w.onDidChange(() => this.refresh());
      w.onDidDelete(() => this.refresh());
    }
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(run: RunNode): vscode.TreeItem {
    if (isUnreadable(run)) {
      const item = new vscode.TreeItem(path.basename(path.dirname(run.reportPath)), vscode.TreeItemCollapsibleState.None);
      item.description = 'cannot be read';
      item.tooltip = `${run.reportPath}\n${run.error}`;
      item.iconPath = new vscode.ThemeIcon('warning');
      return item;
    }
    const item = new vscode.TreeItem(run.label, vscode.TreeItemCollapsibleState.None);
    item.description = run.description;
    item.tooltip = run.tooltip;
    item.iconPath = new vscode.ThemeIcon(run.kind === 'audit' ? 'checklist' : 'filter');
    item.contextValue = 'bise.run';
    item.command = { command: 'bise.openReport', title: 'Open Report', arguments: [vscode.Uri.file(run.reportPath)] };
    return item;
  }

  async getChildren(parent?: RunNode): Promise<RunNode[]> {
    if (parent) return [];
    const found = new Set<string>(storageReports(this.storageRoot));
    for (const uri of await vscode.workspace.findFiles(`**/${REPORT_JSON}`, '**/node_modules/**', MAX_WORKSPACE_REPORTS)) found.add(uri.fsPath);
    const runs = [...found].map(readRunSummary);
    // A report.json of some other tool is not a run: only files that at least claim to be BISE reports are listed.
    const listed = runs.filter((r) => !isUnreadable(r) || claimsToBeBise(r.reportPath));
    return [...sortRuns(listed.filter((r): r is RunSummary => !isUnreadable(r))), ...listed.filter(isUnreadable)];
  }

  dispose(): void {
    this.changed.dispose();
    for (const w of this.watchers) w.dispose();
  }
}

function storageReports(storageRoot: string): string[] {
  const runs = path.join(storageRoot, 'runs');
  if (!fs.existsSync(runs)) return [];
  return fs.readdirSync(runs).map((name) => path.join(runs, name, REPORT_JSON)).filter((p) => fs.existsSync(p));
}

function claimsToBeBise(reportPath: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(reportPath, 'utf8')) as { schema?: unknown }).schema === 'bise-report';
  } catch {
    return false;
  }
}

/**
 * bise.compareRuns: from the view's context menu with two runs selected (VS Code passes the clicked item and the
 * selection). Writes the comparison into the extension's storage (older run as A) and opens its Markdown preview.
 */
export async function compareRuns(storageRoot: string, clicked?: RunNode, selected?: readonly RunNode[]): Promise<void> {
  const picked = (selected && selected.length > 0 ? selected : clicked ? [clicked] : []).filter((r): r is RunSummary => !isUnreadable(r));
  if (picked.length !== 2) {
    void vscode.window.showInformationMessage(`BISE: select two runs in the Runs view (Ctrl/Cmd+click) to compare them; ${picked.length} selected.`);
    return;
  }
  const [a, b] = sortRuns(picked).reverse();
  try {
    const read = (r: RunSummary) => ({ report: parseAnyReport(fs.readFileSync(r.reportPath, 'utf8'), r.reportPath), folder: path.dirname(r.reportPath) });
    const name = (r: RunSummary) => safeSegment(path.basename(path.dirname(r.reportPath)));
    // At the storage root, so the preview (which loads local files from the document's folder and the workspace
    // folders) can show the heatmaps of runs in storage/runs/ as well as of exported reports.
    const out = path.join(storageRoot, `comparison-${name(a)}-vs-${name(b)}.md`);
    fs.mkdirSync(storageRoot, { recursive: true });
    fs.writeFileSync(out, compareRunsMarkdown(read(a), read(b), out));
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(out));
  } catch (e) {
    void vscode.window.showErrorMessage(`BISE: cannot compare the runs: ${(e as Error).message}`);
  }
}
