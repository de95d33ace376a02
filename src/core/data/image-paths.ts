/**
 * Image paths in a dataset CSV are relative to the CSV's folder and must stay inside it: a shared dataset file
 * should not be able to make us read /etc/passwd or ../../secrets. Backslashes count as separators, so that
 * CSVs written on Windows work (and are checked) everywhere.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve, sep, win32 } from 'node:path';

/** The reason a path is refused, or the resolved absolute path. */
export type ResolvedImagePath = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

/** Resolves `entry` against `root` without touching the disk; refuses empty, absolute and escaping paths. */
export function resolveInside(root: string, entry: string): ResolvedImagePath {
  if (entry.trim() === '') return { ok: false, reason: 'the path is empty' };
  if (entry.includes('\0')) return { ok: false, reason: 'the path contains a NUL character' };
  const portable = entry.replace(/\\/g, '/');
  if (posix.isAbsolute(portable) || win32.isAbsolute(entry) || /^[A-Za-z]:/.test(portable)) {
    return { ok: false, reason: `"${entry}" is absolute: expected a path relative to the CSV's folder` };
  }
  const path = resolve(root, portable);
  if (!isInside(root, path)) return { ok: false, reason: `"${entry}" leads outside the CSV's folder: expected a path inside it (no "..")` };
  return { ok: true, path };
}

/** Follows symbolic links of an existing file and checks that it still lies inside `root`'s real location. */
export function realPathInside(root: string, path: string): ResolvedImagePath {
  const realRoot = realpathSync(root);
  const real = realpathSync(path);
  if (!isInside(realRoot, real)) return { ok: false, reason: `"${path}" is a link to ${real}, outside the CSV's folder` };
  return { ok: true, path: real };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
