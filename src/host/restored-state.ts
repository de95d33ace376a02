/**
 * A panel restored after a window reload gets its state back from the webview (getState/setState), that is
 * from the page: it must not be able to point the extension at an arbitrary file. A restored model or report
 * path is used only when it is absolute, has the right kind of name, and lies — after resolving `..` and
 * symbolic links — inside a workspace folder, the extension's own storage (run reports) or the extension
 * itself (the demo model).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PanelState } from '../protocol/webview-messages';
import { relativeInside } from './platform-paths';

export type Restored = { readonly ok: true; readonly state: PanelState } | { readonly ok: false; readonly reason: string };

/** The real path of `p` (or of its nearest existing ancestor, with the rest appended). */
function realish(p: string): string {
  const rest: string[] = [];
  let current = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return p;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

export function isInsideAny(file: string, roots: readonly string[]): boolean {
  const real = realish(path.resolve(file));
  return roots.some((root) => {
    const rel = relativeInside(realish(path.resolve(root)), real);
    return rel !== null && rel !== '';
  });
}

export function restorablePanelState(state: PanelState, allowedRoots: readonly string[]): Restored {
  const file = state.view === 'setup' ? state.modelPath : state.reportPath;
  const what = state.view === 'setup' ? 'model' : 'report';
  if (!path.isAbsolute(file)) return { ok: false, reason: `the saved ${what} path '${file}' is not absolute` };
  if (state.view === 'setup' && !file.toLowerCase().endsWith('.onnx')) return { ok: false, reason: `the saved model path '${file}' is not an .onnx file` };
  if (state.view === 'report' && path.basename(file) !== 'report.json') return { ok: false, reason: `the saved report path '${file}' is not a report.json` };
  if (!isInsideAny(file, allowedRoots)) return { ok: false, reason: `the saved ${what} path '${file}' is outside the workspace folders and the extension's storage` };
  return { ok: true, state };
}
