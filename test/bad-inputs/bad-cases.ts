/**
 * The corpus of hostile and broken inputs in test/fixtures/bad/ (made by scripts/make-bad-fixtures.ts) and what
 * running one takes: a private copy of its folder (so that nothing can touch the committed files), the SHA-256
 * of every file in it before the run, and the command line with its placeholders filled in.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const BAD_ROOT = path.join(__dirname, '..', 'fixtures', 'bad');

export type WorkerData = { kind: 'biased-mnist' } | { kind: 'npy-folder'; folder: string } | { kind: 'image-csv'; csv: string };

export interface BadCase {
  readonly id: string;
  readonly summary: string;
  /** `bise` arguments; {case} is the case folder, {out} an output folder that must not appear. */
  readonly argv: readonly string[];
  /** Fragments the error must contain: the file's name, then the problem. */
  readonly expect: readonly string[];
  readonly worker: { readonly model: string; readonly data: WorkerData } | null;
  readonly workerSkip?: string;
}

export function loadCases(): BadCase[] {
  return (JSON.parse(fs.readFileSync(path.join(BAD_ROOT, 'cases.json'), 'utf8')) as { cases: BadCase[] }).cases;
}

export interface PreparedCase {
  /** The copy of the case folder the run uses. */
  readonly dir: string;
  /** Where an output folder would go; must not exist after a failed run. */
  readonly out: string;
  /** SHA-256 of every file in `dir` before the run, by relative path. */
  readonly before: ReadonlyMap<string, string>;
  fill(text: string): string;
}

/** Copies the case into a fresh temporary folder and records its files' hashes. */
export function prepareCase(c: BadCase): PreparedCase {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), `bise-bad-${c.id}-`));
  const dir = path.join(parent, 'case');
  fs.cpSync(path.join(BAD_ROOT, c.id), dir, { recursive: true });
  const out = path.join(parent, 'out');
  return { dir, out, before: hashTree(dir), fill: (text) => text.replaceAll('{case}', dir).replaceAll('{out}', out) };
}

/** SHA-256 of every file under `dir` (relative path → hex digest), including hidden and temporary files. */
export function hashTree(dir: string): Map<string, string> {
  const hashes = new Map<string, string>();
  const walk = (sub: string): void => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, e.name);
      if (e.isDirectory()) walk(rel);
      else hashes.set(rel, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, rel))).digest('hex'));
    }
  };
  walk('');
  return hashes;
}

/** Problems left behind by a failed run: a changed, removed or new file in the case folder, or an output folder. */
export function leftovers(p: PreparedCase): string[] {
  const problems: string[] = [];
  const after = hashTree(p.dir);
  for (const [file, sha] of p.before) {
    if (!after.has(file)) problems.push(`${file} was removed`);
    else if (after.get(file) !== sha) problems.push(`${file} changed (SHA-256 ${after.get(file)}, was ${sha})`);
  }
  for (const file of after.keys()) if (!p.before.has(file)) problems.push(`${file} was written next to the input`);
  if (fs.existsSync(p.out)) problems.push(`the output folder ${p.out} was created`);
  const siblings = fs.readdirSync(path.dirname(p.dir)).filter((n) => n !== 'case');
  for (const n of siblings) problems.push(`${n} was written beside the case folder`);
  return problems;
}

export function removeCase(p: PreparedCase): void {
  fs.rmSync(path.dirname(p.dir), { recursive: true, force: true });
}

/** Lines that look like a JavaScript stack frame: a user must never need these to understand an error. */
export function stackLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at\s/.test(l));
}
