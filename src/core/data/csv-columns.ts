/**
 * Which columns of an image-list CSV hold the image path, the target (class) and the bias attribute(s), and the
 * optional split. By default by name — `path`, `label`, every column starting with `bias`, `split` — or as the user
 * maps them ({path: 'file', target: 'digit', bias: ['colour']}), by the rules of table-columns.ts.
 */
import type { CsvRecord } from './csv';
import { RoleColumns, RoleMapping, findRoleColumns } from './table-columns';

/** The user's choice of columns; a part left out is found by name as without a mapping. */
export type CsvColumnMapping = RoleMapping & {
  /** The image path column (default `path`). */
  readonly path?: string;
};

/** The columns found, the image paths' in `path`. */
export type CsvColumns = Omit<RoleColumns, 'sample'> & { readonly path: number };

/** The columns of `record` (the header row) for `mapping` (by name where it leaves a part out). */
export function findCsvColumns(record: CsvRecord, file: string, mapping: CsvColumnMapping = {}): CsvColumns {
  const found = findRoleColumns({ names: record.fields, file, line: record.line }, { defaultName: 'path', what: 'image path', mapped: mapping.path }, mapping, 'header');
  return { header: found.header, path: found.sample as number, label: found.label, biases: found.biases, split: found.split, ignored: found.ignored };
}
