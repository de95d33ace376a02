/**
 * Which columns of an image-list CSV hold the image path, the target (class) and the bias attribute(s), and the
 * optional split. By default by name — `path`, `label`, every column starting with `bias`, `split` — or as the user
 * maps them ({path: 'file', target: 'digit', bias: ['colour']}), by the rules of table-columns.ts.
 */
import type { CsvRecord } from './csv';
import { findRoleColumns } from './table-columns';

/** The user's choice of columns; a part left out is found by name as without a mapping. */
export interface CsvColumnMapping {
  /** The image path column (default `path`). */
  readonly path?: string;
  /** The target (class label) column (default `label`). */
  readonly target?: string;
  /** The bias attribute column(s), at least one (default: every column whose name starts with `bias`). */
  readonly bias?: readonly string[];
}

export interface CsvColumns {
  /** Header names, trimmed and lower-cased. */
  readonly header: readonly string[];
  readonly path: number;
  readonly label: number;
  readonly biases: readonly { readonly name: string; readonly index: number }[];
  readonly split: number | undefined;
  readonly ignored: readonly string[];
}

/** The columns of `record` (the header row) for `mapping` (by name where it leaves a part out). */
export function findCsvColumns(record: CsvRecord, file: string, mapping: CsvColumnMapping = {}): CsvColumns {
  const found = findRoleColumns({ names: record.fields, file, line: record.line }, { defaultName: 'path', what: 'image path', mapped: mapping.path }, mapping, 'header');
  return { header: found.header, path: found.sample as number, label: found.label, biases: found.biases, split: found.split, ignored: found.ignored };
}
