/**
 * Which columns of an image-list CSV hold the image path, the target (class) and the bias attribute(s), and the
 * optional split. By default by name — `path`, `label`, every column starting with `bias`, `split` — or as the user
 * maps them ({path: 'file', target: 'digit', bias: ['colour']}). Names are compared trimmed and case-insensitively;
 * errors name the CSV file, the missing column, the role it was chosen for, and the header as it is.
 */
import type { CsvRecord } from './csv';
import { DatasetError } from './errors';

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

const DEFAULT_HEADER = 'path,label,bias[,bias2…][,split]';

function normal(name: string): string {
  return name.trim().toLowerCase();
}

/** The columns of `record` (the header row) for `mapping` (by name where it leaves a part out). */
export function findCsvColumns(record: CsvRecord, file: string, mapping: CsvColumnMapping = {}): CsvColumns {
  const header = record.fields.map(normal);
  const shown = record.fields.join(',');
  header.forEach((name, i) => {
    if (header.indexOf(name) !== i) throw new DatasetError(file, `header: column "${name}" appears twice; the header is: ${shown}`, record.line);
  });
  const find = (name: string, role: string | null): number => {
    const index = header.indexOf(normal(name));
    if (index >= 0) return index;
    const why = role === null ? `expected a header ${DEFAULT_HEADER}` : `it was chosen as the ${role} column`;
    throw new DatasetError(file, `missing column "${normal(name)}": ${why}; the header is: ${shown}`, record.line);
  };
  const path = mapping.path === undefined ? find('path', null) : find(mapping.path, 'image path');
  const label = mapping.target === undefined ? find('label', null) : find(mapping.target, 'target');
  let biases: { name: string; index: number }[];
  if (mapping.bias === undefined) {
    biases = header.flatMap((name, index) => (name.startsWith('bias') && index !== path && index !== label ? [{ name, index }] : []));
    if (biases.length === 0) find('bias', null);
  } else {
    if (mapping.bias.length === 0) throw new DatasetError(file, `the column mapping names no bias column: choose at least one; the header is: ${shown}`, record.line);
    biases = mapping.bias.map((name) => {
      const index = find(name, 'bias');
      return { name: header[index], index };
    });
  }
  const roles = [
    { what: 'image path', index: path },
    { what: 'target', index: label },
    ...biases.map((b) => ({ what: 'bias', index: b.index })),
  ];
  roles.forEach((r, i) => {
    const other = roles.findIndex((o, j) => j !== i && o.index === r.index);
    if (other >= 0 && other > i) throw new DatasetError(file, `column "${header[r.index]}" is chosen as both the ${r.what} and the ${roles[other].what} column; each role needs its own column`, record.line);
  });
  const used = new Set(roles.map((r) => r.index));
  const splitIndex = header.indexOf('split');
  const split = splitIndex >= 0 && !used.has(splitIndex) ? splitIndex : undefined;
  const ignored = header.filter((_, index) => !used.has(index) && index !== split);
  return { header, path, label, biases, split, ignored };
}
