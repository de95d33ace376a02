/**
 * The set-up form's CSV column choice: the header (and first data row) of an image CSV read with a bounded read,
 * whether it looks like an image list, which columns are likely the image path, the target and the bias (by name,
 * and by an image file name in the first row), and the check of the user's choice against the header. A text
 * table's choice (text, target, bias) follows the same rules for its target and bias (text-datasets.ts).
 */
import { parseCsv } from '../core/data/csv';
import { readFileHead } from '../core/data/file-head';
import type { CsvColumnChoice, TextColumnChoice } from '../protocol/jobs';

/** How much of a CSV the form reads: enough for a header and a row, never the whole file. */
export const CSV_HEAD_BYTES = 16 * 1024;

export interface CsvHead {
  /** Header names, trimmed, as written (case kept). */
  readonly columns: readonly string[];
  /** The first data row, or null when the head holds none. */
  readonly firstRow: readonly string[] | null;
}

/** The header and first data row of `file` from its first `maxBytes` bytes; null if unreadable or not CSV text. */
export function readCsvHead(file: string, maxBytes = CSV_HEAD_BYTES): CsvHead | null {
  const text = readFileHead(file, maxBytes);
  if (text === null) return null;
  try {
    const records = parseCsv(text, file);
    if (records.length === 0) return null;
    return { columns: records[0].fields.map((c) => c.trim()), firstRow: records.length > 1 ? records[1].fields.map((c) => c.trim()) : null };
  } catch {
    return null;
  }
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const lower = (columns: readonly string[]): string[] => columns.map((c) => c.toLowerCase());

/** The default header the engine reads without a mapping: path, label and a bias… column. */
export function isImageListHeader(columns: readonly string[]): boolean {
  const names = lower(columns);
  return names.includes('path') && names.includes('label') && names.some((c) => c.startsWith('bias'));
}

/** An image list: the default header, or at least three columns with an image file name in the first row. */
export function looksLikeImageList(head: CsvHead): boolean {
  if (isImageListHeader(head.columns)) return true;
  return head.columns.length >= 3 && head.firstRow !== null && head.firstRow.some((v) => IMAGE_FILE.test(v));
}

const PATH_NAME = /path|file|image|img/i;
const TARGET_NAME = /^(label|labels|target|class|class_?id|label_?id|y|category|digit)$/i;
const TARGET_PART = /label|target|class/i;
const BIAS_NAME = /bias|spurious|attr|group|colou?r|background|gender|sex|race|age|place|identity|religion/i;

/**
 * The columns the form pre-selects: the path column by name `path`, an image file name in the first row, or a
 * name like file/image; the target by `label` or names like target/class; the bias columns named bias…, else
 * one named like an attribute (colour, group, gender, …), else the first column left. Roles never share a column.
 */
export function suggestCsvColumns(head: CsvHead): CsvColumnChoice {
  const names = lower(head.columns);
  const all = head.columns.map((_, i) => i);
  const first = (candidates: readonly number[], taken: ReadonlySet<number>): number | undefined => candidates.find((i) => !taken.has(i));
  const split = names.indexOf('split');
  const taken = new Set<number>(split >= 0 ? [split] : []);
  const pathIndex =
    first(all.filter((i) => names[i] === 'path'), taken) ??
    first(all.filter((i) => head.firstRow !== null && IMAGE_FILE.test(head.firstRow[i] ?? '')), taken) ??
    first(all.filter((i) => PATH_NAME.test(names[i])), taken) ??
    first(all, taken) ??
    0;
  return { path: head.columns[pathIndex] ?? '', ...suggestLabelColumns(head, pathIndex) };
}

/**
 * The target and bias columns a form pre-selects besides the sample's column (`sample`: the image path or the text)
 * and a `split` column: the target by `label` or names like target/class; the bias columns named bias…, else one
 * named like an attribute (colour, group, gender, identity, …), else the first column left.
 */
export function suggestLabelColumns(head: CsvHead, sample: number): { target: string; bias: string[] } {
  const names = lower(head.columns);
  const all = head.columns.map((_, i) => i);
  const first = (candidates: readonly number[], taken: ReadonlySet<number>): number | undefined => candidates.find((i) => !taken.has(i));
  const split = names.indexOf('split');
  const taken = new Set<number>(split >= 0 ? [split, sample] : [sample]);
  const targetIndex =
    first(all.filter((i) => TARGET_NAME.test(names[i])), taken) ??
    first(all.filter((i) => TARGET_PART.test(names[i])), taken) ??
    first(all.filter((i) => !names[i].startsWith('bias')), taken) ??
    first(all, taken);
  if (targetIndex !== undefined) taken.add(targetIndex);
  let bias = all.filter((i) => names[i].startsWith('bias') && !taken.has(i));
  if (bias.length === 0) {
    const guess = first(all.filter((i) => BIAS_NAME.test(names[i])), taken) ?? first(all, taken);
    bias = guess === undefined ? [] : [guess];
  }
  return { target: targetIndex === undefined ? '' : head.columns[targetIndex], bias: bias.map((i) => head.columns[i]) };
}

/**
 * What is wrong with `choice` for a CSV with `columns` (one message per problem, naming the CSV and the column),
 * or an empty list.
 */
export function csvChoiceProblems(choice: CsvColumnChoice, columns: readonly string[], csvName: string): string[] {
  return columnChoiceProblems({ role: 'image path', name: choice.path }, choice, columns, csvName);
}

/** What is wrong with a text table's `choice` (text, target, bias), as csvChoiceProblems says it. */
export function textChoiceProblems(choice: TextColumnChoice, columns: readonly string[], fileName: string): string[] {
  return columnChoiceProblems({ role: 'text', name: choice.text }, choice, columns, fileName);
}

function columnChoiceProblems(sample: { role: string; name: string }, choice: { target: string; bias: readonly string[] }, columns: readonly string[], csvName: string): string[] {
  const names = lower(columns);
  const problems: string[] = [];
  const listed = columns.join(', ');
  const check = (role: string, name: string): void => {
    if (name.trim() === '') problems.push(`${role} column: choose one of the columns of ${csvName} (${listed})`);
    else if (!names.includes(name.trim().toLowerCase())) problems.push(`${role} column: ${csvName} has no column "${name}" (its columns: ${listed}); choose one of those`);
  };
  check(sample.role.charAt(0).toUpperCase() + sample.role.slice(1), sample.name);
  check('Target', choice.target);
  if (choice.bias.length === 0) problems.push(`Bias column: choose at least one column of ${csvName} (${listed})`);
  for (const b of choice.bias) check('Bias', b);
  const roles: [string, string][] = [
    [sample.role, sample.name],
    ['target', choice.target],
    ...choice.bias.map((b): [string, string] => ['bias', b]),
  ];
  const seen = new Map<string, string>();
  for (const [role, name] of roles) {
    const key = name.trim().toLowerCase();
    if (key === '') continue;
    const earlier = seen.get(key);
    if (earlier !== undefined) problems.push(`Column "${name}" of ${csvName} is chosen as both the ${earlier} and the ${role} column; each role needs its own column`);
    else seen.set(key, role);
  }
  return problems;
}
