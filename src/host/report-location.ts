/**
 * Where report folders go. A run writes into the extension's storage (nothing lands in the repository until
 * the user asks); "Export report into the repo" writes `<workspace folder>/<bise.reportsFolder>/<model name>/`.
 */
import * as path from 'node:path';

export const DEFAULT_REPORTS_FOLDER = 'bise-reports';

/** A name safe as one path segment on every platform. */
export function safeSegment(name: string): string {
  const s = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^\.+/, '_').trim();
  return s === '' ? 'model' : s.slice(0, 120);
}

/**
 * The export folder of a model's report inside `workspaceRoot`, from the `bise.reportsFolder` setting
 * (relative to the workspace folder; an absolute path must lie inside it). Throws a message saying how to fix
 * a setting that leaves the workspace folder.
 */
export function exportFolder(workspaceRoot: string, setting: string | undefined, modelPath: string): string {
  const root = path.resolve(workspaceRoot);
  const raw = (setting ?? '').trim() === '' ? DEFAULT_REPORTS_FOLDER : (setting as string).trim();
  const base = path.resolve(root, raw);
  const rel = path.relative(root, base);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`the setting bise.reportsFolder ('${raw}') points outside the workspace folder ${root}; use a folder inside it, e.g. '${DEFAULT_REPORTS_FOLDER}'`);
  }
  return path.join(base, safeSegment(path.parse(modelPath).name));
}

/** A fresh folder for one run's report in the extension's storage: `<storage>/runs/<model>-<time>`. */
export function runFolder(storageRoot: string, modelPath: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return path.join(storageRoot, 'runs', `${safeSegment(path.parse(modelPath).name)}-${stamp}`);
}
