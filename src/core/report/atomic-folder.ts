/**
 * Write a whole folder so that readers only ever see the old folder or the complete new one: everything is
 * staged in a hidden sibling `.<name>.tmp-<random>` (same parent, so the final rename stays on one file system)
 * and renamed into place at the end. A failure at any step removes the staging folder and leaves any previous
 * folder as it was. Protected paths (the user's source model) are never written over, and a folder that
 * holds one is never replaced.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isReportRelativePath } from './schema';

export interface FolderEntry {
  /** Relative to the folder, '/'-separated. */
  readonly path: string;
  readonly content: string | Uint8Array;
}

export interface AtomicFolderOptions {
  /** Replace an existing folder (unless `whyNotReplaceable` objects). Default false. */
  readonly overwrite?: boolean;
  /** Paths that must never be written over or deleted. */
  readonly protect?: readonly string[];
  /** Why an existing folder must not be replaced (null: it may be); default: any folder may. */
  readonly whyNotReplaceable?: (folder: string) => string | null;
}

const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin';

/** The real location of `p`: symbolic links resolved for the longest part of it that exists. */
function realLocation(p: string): string {
  const resolved = path.resolve(p);
  const missing: string[] = [];
  let existing = resolved;
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    missing.unshift(path.basename(existing));
    existing = parent;
  }
  return path.join(fs.existsSync(existing) ? fs.realpathSync.native(existing) : existing, ...missing);
}

function isSameOrInside(inner: string, outer: string): boolean {
  const a = CASE_INSENSITIVE ? inner.toLowerCase() : inner;
  const b = CASE_INSENSITIVE ? outer.toLowerCase() : outer;
  return a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);
}

function randomSuffix(): string {
  return crypto.randomBytes(6).toString('hex');
}

function writeFileDurably(file: string, content: string | Uint8Array): void {
  const fd = fs.openSync(file, 'wx');
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Refuse before writing anything: bad entry paths, protected paths, an existing folder we may not replace.
 * Returns whether the folder exists (and may be replaced).
 */
function checkTarget(target: string, entries: readonly FolderEntry[], o: AtomicFolderOptions): boolean {
  if (path.basename(target) === '' || path.dirname(target) === target) throw new Error(`'${target}' cannot be a report folder`);
  const seen = new Set<string>();
  for (const e of entries) {
    if (!isReportRelativePath(e.path)) throw new Error(`'${e.path}' is not a plain relative path inside the folder`);
    if (seen.has(e.path)) throw new Error(`'${e.path}' is listed twice`);
    seen.add(e.path);
  }
  const realTarget = realLocation(target);
  for (const p of o.protect ?? []) {
    const realProtected = realLocation(p);
    if (isSameOrInside(realProtected, realTarget) || isSameOrInside(path.resolve(p), target)) {
      throw new Error(`refusing to write '${target}': it would write over or replace '${p}', which is protected (the source model); choose another folder`);
    }
  }
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch {
    return false;
  }
  if (!o.overwrite) throw new Error(`'${target}' already exists; choose another folder or allow overwriting`);
  if (stat.isSymbolicLink()) throw new Error(`'${target}' is a symbolic link; give the folder it points to, or another folder`);
  if (!stat.isDirectory()) throw new Error(`'${target}' exists and is not a folder; refusing to replace it`);
  const why = o.whyNotReplaceable?.(target) ?? null;
  if (why) throw new Error(`refusing to replace '${target}': ${why}`);
  return true;
}

/**
 * Write `entries` as the folder `folder`, atomically. Without `overwrite`, an existing folder is an error; with
 * it, the old folder is renamed aside, the new one renamed in, and the old one deleted (restored if the swap
 * fails). Returns the absolute paths of the files written, in entry order.
 */
export function writeFolderAtomic(folder: string, entries: readonly FolderEntry[], options: AtomicFolderOptions = {}): string[] {
  const target = path.resolve(folder);
  const exists = checkTarget(target, entries, options);
  const parent = path.dirname(target);
  const name = path.basename(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = path.join(parent, `.${name}.tmp-${randomSuffix()}`);
  fs.mkdirSync(staging);
  try {
    for (const e of entries) {
      const file = path.join(staging, ...e.path.split('/'));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileDurably(file, e.content);
    }
    if (exists) {
      const aside = path.join(parent, `.${name}.old-${randomSuffix()}`);
      fs.renameSync(target, aside);
      try {
        fs.renameSync(staging, target);
      } catch (e) {
        fs.renameSync(aside, target);
        throw e;
      }
      // The new folder is in place; a leftover old copy is untidy but loses nothing, so this cannot fail the write.
      try {
        fs.rmSync(aside, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    } else {
      fs.renameSync(staging, target);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return entries.map((e) => path.join(target, ...e.path.split('/')));
}
