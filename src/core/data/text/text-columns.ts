/**
 * Which columns of a text dataset hold the text, the target (class) and the bias attribute(s), and the optional
 * split: by default by name — `text`, `label`, every column starting with `bias`, `split` — or as the user maps
 * them ({text: 'comment_text', target: 'toxic', bias: ['female', 'male']}), as for the image CSV
 * (../csv-columns.ts), by the rules of ../table-columns.ts.
 */
import { DatasetError } from '../errors';
import { HeaderRef, RoleColumns, RoleMapping, findRoleColumns } from '../table-columns';

export type { HeaderRef } from '../table-columns';

/** The user's choice of columns; a part left out is found by name as without a mapping. */
export type TextColumnMapping = RoleMapping & {
  /** The text column (default `text`). */
  readonly text?: string;
};

/** The columns found; `text` is undefined when the table carries labels only (a pre-tokenised folder's labels.csv). */
export type TextColumns = Omit<RoleColumns, 'sample'> & { readonly text: number | undefined };

/** The columns for `mapping` (by name where it leaves a part out); `withText` false for a labels-only table. */
export function findTextColumns(headerRef: HeaderRef, mapping: TextColumnMapping = {}, withText = true): TextColumns {
  if (!withText && mapping.text !== undefined) {
    throw new DatasetError(headerRef.file, `the column mapping names a text column ("${mapping.text}"), but this file holds labels only`, headerRef.line);
  }
  const sample = withText ? { defaultName: 'text', what: 'text', mapped: mapping.text } : undefined;
  const found = findRoleColumns(headerRef, sample, mapping, 'columns');
  return { header: found.header, text: found.sample, label: found.label, biases: found.biases, split: found.split, ignored: found.ignored };
}
