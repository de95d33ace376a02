/**
 * Which columns of a text dataset hold the text, the target (class) and the bias attribute(s), and the optional
 * split: by default by name — `text`, `label`, every column starting with `bias`, `split` — or as the user maps
 * them ({text: 'comment_text', target: 'toxic', bias: ['female', 'male']}), as for the image CSV
 * (../csv-columns.ts, whose roles are fixed to an image path). Names are compared trimmed and case-insensitively;
 * errors name the file, the missing column, the role it was chosen for, and the columns as they are.
 */
import { DatasetError } from '../errors';

/** The user's choice of columns; a part left out is found by name as without a mapping. */
export interface TextColumnMapping {
  /** The text column (default `text`). */
  readonly text?: string;
  /** The target (class label) column (default `label`). */
  readonly target?: string;
  /** The bias attribute column(s), at least one (default: every column whose name starts with `bias`). */
  readonly bias?: readonly string[];
}

export interface TextColumns {
  /** Column names, trimmed and lower-cased. */
  readonly header: readonly string[];
  /** The text column; undefined when the table carries labels only (a pre-tokenised folder's labels.csv). */
  readonly text: number | undefined;
  readonly label: number;
  readonly biases: readonly { readonly name: string; readonly index: number }[];
  readonly split: number | undefined;
  readonly ignored: readonly string[];
}

export interface HeaderRef {
  readonly names: readonly string[];
  readonly file: string;
  /** The line errors about columns point at. */
  readonly line: number;
}

function normal(name: string): string {
  return name.trim().toLowerCase();
}

/** The columns for `mapping` (by name where it leaves a part out); `withText` false for a labels-only table. */
export function findTextColumns(headerRef: HeaderRef, mapping: TextColumnMapping = {}, withText = true): TextColumns {
  const { file, line } = headerRef;
  const header = headerRef.names.map(normal);
  const shown = headerRef.names.join(',');
  const defaults = withText ? 'text,label,bias[,bias2…][,split]' : 'label,bias[,bias2…][,split]';
  header.forEach((name, i) => {
    if (header.indexOf(name) !== i) throw new DatasetError(file, `column "${name}" appears twice; the columns are: ${shown}`, line);
  });
  const find = (name: string, role: string | null): number => {
    const index = header.indexOf(normal(name));
    if (index >= 0) return index;
    const why = role === null ? `expected columns ${defaults}` : `it was chosen as the ${role} column`;
    throw new DatasetError(file, `missing column "${normal(name)}": ${why}; the columns are: ${shown}`, line);
  };
  if (!withText && mapping.text !== undefined) throw new DatasetError(file, `the column mapping names a text column ("${mapping.text}"), but this file holds labels only`, line);
  const text = withText ? (mapping.text === undefined ? find('text', null) : find(mapping.text, 'text')) : undefined;
  const label = mapping.target === undefined ? find('label', null) : find(mapping.target, 'target');
  let biases: { name: string; index: number }[];
  if (mapping.bias === undefined) {
    biases = header.flatMap((name, index) => (name.startsWith('bias') && index !== text && index !== label ? [{ name, index }] : []));
    if (biases.length === 0) find('bias', null);
  } else {
    if (mapping.bias.length === 0) throw new DatasetError(file, `the column mapping names no bias column: choose at least one; the columns are: ${shown}`, line);
    biases = mapping.bias.map((name) => {
      const index = find(name, 'bias');
      return { name: header[index], index };
    });
  }
  const roles = [
    ...(text === undefined ? [] : [{ what: 'text', index: text }]),
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
  return { header, text, label, biases, split, ignored };
}
