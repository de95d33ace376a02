/**
 * Path rules that differ between Windows and POSIX, written against an explicit node:path flavour: the host passes
 * nothing and gets its own platform's rules; tests pass path.win32 to check Windows paths (drive letters, `\`,
 * case-insensitive names, UNC shares) on Linux.
 */
import * as path from 'node:path';

/** node:path's rules for `platform` (the host's own by default). */
export function pathsFor(platform: NodeJS.Platform = process.platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/**
 * `file` relative to `root` when it is `root` or lies inside it ('' for `root` itself), else null: another drive
 * or UNC share (path.relative then returns an absolute path) and `..` are outside; a child named `..x` is inside.
 * Windows compares names case-insensitively (path.win32.relative does).
 */
export function relativeInside(root: string, file: string, paths: path.PlatformPath = path): string | null {
  const rel = paths.relative(paths.resolve(root), paths.resolve(file));
  const outside = rel === '..' || rel.startsWith(`..${paths.sep}`) || paths.isAbsolute(rel);
  return outside ? null : rel;
}
