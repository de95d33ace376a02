/**
 * Which columns of a table (an image-list CSV, a text CSV or JSONL, a labels table) hold the sample (an image path
 * or a text, when the table has one), the target (class), the bias attribute(s) and the optional split. By default
 * by name — the sample's own name, `label`, every column starting with `bias`, `split` — or as the user maps them.
 * Names are compared trimmed and case-insensitively; errors name the file, the missing column, the role it was
 * chosen for, and the columns as they are. csv-columns.ts and text/text-columns.ts name the sample's role.
 */
import { DatasetError } from './errors';

export interface HeaderRef {
  readonly names: readonly string[];
  readonly file: string;
  /** The line errors about columns point at. */
  readonly line: number;
}

/** The column that holds the sample itself: found by `defaultName`, or by the name the user mapped. */
export interface SampleRole {
  readonly defaultName: string;
  /** How errors call it ('image path', 'text'). */
  readonly what: string;
  readonly mapped?: string;
}

export interface RoleMapping {
  /** The target (class label) column (default `label`). */
  readonly target?: string;
  /** The bias attribute column(s), at least one (default: every column whose name starts with `bias`). */
  readonly bias?: readonly string[];
}

export interface RoleColumns {
  /** Column names, trimmed and lower-cased. */
  readonly header: readonly string[];
  /** The sample's column; undefined for a table without one (a labels table). */
  readonly sample: number | undefined;
  readonly label: number;
  readonly biases: readonly { readonly name: string; readonly index: number }[];
  readonly split: number | undefined;
  readonly ignored: readonly string[];
}

/** How errors show the columns: a CSV's 'header' line, or a JSONL file's 'columns' (its keys). */
export type ColumnsShownAs = 'header' | 'columns';

function normal(name: string): string {
  return name.trim().toLowerCase();
}

export function findRoleColumns(ref: HeaderRef, sample: SampleRole | undefined, mapping: RoleMapping, shownAs: ColumnsShownAs): RoleColumns {
  const { file, line } = ref;
  const header = ref.names.map(normal);
  const shown = `${shownAs === 'header' ? 'the header is' : 'the columns are'}: ${ref.names.join(',')}`;
  const defaults = `${sample ? `${sample.defaultName},` : ''}label,bias[,bias2…][,split]`;
  header.forEach((name, i) => {
    if (header.indexOf(name) !== i) throw new DatasetError(file, `${shownAs === 'header' ? 'header: ' : ''}column "${name}" appears twice; ${shown}`, line);
  });
  const find = (name: string, role: string | null): number => {
    const index = header.indexOf(normal(name));
    if (index >= 0) return index;
    const why = role === null ? `expected ${shownAs === 'header' ? 'a header' : 'columns'} ${defaults}` : `it was chosen as the ${role} column`;
    throw new DatasetError(file, `missing column "${normal(name)}": ${why}; ${shown}`, line);
  };
  const sampleIndex = sample ? (sample.mapped === undefined ? find(sample.defaultName, null) : find(sample.mapped, sample.what)) : undefined;
  const label = mapping.target === undefined ? find('label', null) : find(mapping.target, 'target');
  let biases: { name: string; index: number }[];
  if (mapping.bias === undefined) {
    biases = header.flatMap((name, index) => (name.startsWith('bias') && index !== sampleIndex && index !== label ? [{ name, index }] : []));
    if (biases.length === 0) find('bias', null);
  } else {
    if (mapping.bias.length === 0) throw new DatasetError(file, `the column mapping names no bias column: choose at least one; ${shown}`, line);
    biases = mapping.bias.map((name) => {
      const index = find(name, 'bias');
      return { name: header[index], index };
    });
  }
  const roles = [
    ...(sample && sampleIndex !== undefined ? [{ what: sample.what, index: sampleIndex }] : []),
    { what: 'target', index: label },
    ...biases.map((b) => ({ what: 'bias', index: b.index })),
  ];
  roles.forEach((r, i) => {
    const other = roles.findIndex((o, j) => j > i && o.index === r.index);
    if (other >= 0) throw new DatasetError(file, `column "${header[r.index]}" is chosen as both the ${r.what} and the ${roles[other].what} column; each role needs its own column`, line);
  });
  const used = new Set(roles.map((r) => r.index));
  const splitIndex = header.indexOf('split');
  const split = splitIndex >= 0 && !used.has(splitIndex) ? splitIndex : undefined;
  const ignored = header.filter((_, index) => !used.has(index) && index !== split);
  return { header, sample: sampleIndex, label, biases, split, ignored };
}
