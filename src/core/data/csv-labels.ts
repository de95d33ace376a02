/**
 * A label column of a dataset CSV as class indices. A column whose values are all integers is taken as is
 * (class = value, classes = max + 1 unless given); otherwise every value is a class name, and the names, sorted,
 * are numbered 0, 1, … (the mapping is returned so that reports can show names).
 */
import { DatasetError } from './errors';
import { MAX_LABEL_CLASSES } from './label-checks';

export interface CsvLabelColumn {
  readonly codes: Int32Array;
  /** Class names in index order, or null when the column held integers. */
  readonly names: readonly string[] | null;
  readonly classes: number;
}

export interface CsvColumnValues {
  /** Column name as in the header, for errors. */
  readonly column: string;
  /** One value per data row, already trimmed. */
  readonly values: readonly string[];
  /** The CSV line of each value, for errors. */
  readonly lines: readonly number[];
}

const INTEGER = /^[+-]?[0-9]+$/;

/** Encodes one column; `given` fixes the class count (every label must be below it). */
export function encodeLabelColumn(column: CsvColumnValues, file: string, given?: number): CsvLabelColumn {
  const { values, lines } = column;
  const name = `column "${column.column}"`;
  if (given !== undefined && (!Number.isInteger(given) || given < 1 || given > MAX_LABEL_CLASSES)) {
    throw new DatasetError(file, `${name}: expected a class count in [1, ${MAX_LABEL_CLASSES}], got ${given}`);
  }
  values.forEach((value, i) => {
    if (value === '') throw new DatasetError(file, `${name}: expected a label, got an empty field`, lines[i]);
  });
  const codes = new Int32Array(values.length);
  if (values.every((value) => INTEGER.test(value))) {
    const limit = given ?? MAX_LABEL_CLASSES;
    let max = 0;
    values.forEach((value, i) => {
      const label = Number(value);
      if (label < 0 || label >= limit) {
        const expected = given === undefined ? `a class index in [0, ${MAX_LABEL_CLASSES})` : `a label in [0, ${given}) (${given} classes given)`;
        throw new DatasetError(file, `${name}: expected ${expected}, got ${value}`, lines[i]);
      }
      codes[i] = label;
      max = Math.max(max, label);
    });
    return { codes, names: null, classes: given ?? max + 1 };
  }
  const names = [...new Set(values)].sort();
  if (given !== undefined && given < names.length) {
    throw new DatasetError(file, `${name}: ${given} classes given, but the column names ${names.length}: ${names.join(', ')}`);
  }
  const index = new Map(names.map((n, k) => [n, k]));
  values.forEach((value, i) => {
    codes[i] = index.get(value) as number;
  });
  return { codes, names, classes: given ?? names.length };
}
