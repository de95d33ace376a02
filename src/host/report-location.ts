/**
 * Where report folders go. A run writes into the extension's storage (nothing lands in the repository until
 * the user asks); "Export report into the repo" writes `<workspace folder>/<bise.reportsFolder>/<model name>/`.
 */
import * as path from 'node:path';
import { relativeInside } from './platform-paths';

export const DEFAULT_REPORTS_FOLDER = 'bise-reports';

/** Names Windows reserves for devices, alone or with an extension (CON, nul.tar, COM1, LPT¹): no file can have them. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * A name safe as one path segment on every platform: no separators or characters Windows forbids, no leading dot,
 * no trailing dot or space (Windows drops them, so `net.` and `net` would be one folder), no device name.
 */
export function safeSegment(name: string): string {
  const s = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^\.+/, '_').trim().slice(0, 120).replace(/[. ]+$/, '_');
  if (s === '') return 'model';
  return WINDOWS_DEVICE.test(s) ? `_${s}` : s;
}

/**
 * The export folder of a model's report inside `workspaceRoot`, from the `bise.reportsFolder` setting
 * (relative to the workspace folder; an absolute path must lie inside it). Throws a message saying how to fix
 * a setting that leaves the workspace folder.
 */
export function exportFolder(workspaceRoot: string, setting: string | undefined, modelPath: string, paths: path.PlatformPath = path): string {
  const root = paths.resolve(workspaceRoot);
  const raw = (setting ?? '').trim() === '' ? DEFAULT_REPORTS_FOLDER : (setting as string).trim();
  const base = paths.resolve(root, raw);
  if (relativeInside(root, base, paths) === null) {
    throw new Error(`the setting bise.reportsFolder ('${raw}') points outside the workspace folder ${root}; use a folder inside it, e.g. '${DEFAULT_REPORTS_FOLDER}'`);
  }
  return paths.join(base, safeSegment(paths.parse(modelPath).name));
}

/** A fresh folder for one run's report in the extension's storage: `<storage>/runs/<model>-<time>`. */
export function runFolder(storageRoot: string, modelPath: string, now = new Date(), paths: path.PlatformPath = path): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return paths.join(storageRoot, 'runs', `${safeSegment(paths.parse(modelPath).name)}-${stamp}`);
}
