/**
 * The target, bias and split columns of a table (a text file, or a pre-tokenised folder's labels.csv) as class
 * indices, with the checks BISE needs: labels as the image CSV reads them (../csv-labels.ts), and every bias
 * taking two values in train.
 */
import { CsvLabelColumn, encodeLabelColumn } from '../csv-labels';
import { DatasetError } from '../errors';
import { requireVariation } from '../label-checks';
import type { TextColumns } from './text-columns';
import { pickValues } from './text-dataset';
import type { SplitColumn } from './text-splits';
import type { TextTable } from './text-table';

export interface LabelClassOptions {
  /** Class count of integer labels (default: max + 1); with class names, at least the number of names. */
  readonly numClasses?: number;
  /** One per bias column, likewise. */
  readonly biasClasses?: readonly number[];
}

export interface TableLabels {
  readonly label: CsvLabelColumn;
  readonly biases: readonly CsvLabelColumn[];
  readonly biasNames: readonly string[];
  readonly split: SplitColumn | undefined;
}

export function tableLabels(table: TextTable, columns: TextColumns, options: LabelClassOptions): TableLabels {
  const { file } = table;
  const label = encodeLabelColumn(labelValues(table, columns.label, columns.header[columns.label]), file, options.numClasses);
  if (options.biasClasses !== undefined && options.biasClasses.length !== columns.biases.length) {
    throw new DatasetError(file, `options.biasClasses: expected ${columns.biases.length} entries (one per bias column), got ${options.biasClasses.length}`);
  }
  const biases = columns.biases.map(({ name, index }, k) => encodeLabelColumn(labelValues(table, index, name), file, options.biasClasses?.[k]));
  const lines = table.rows.map((r) => r.line);
  const splitIndex = columns.split;
  const split = splitIndex === undefined ? undefined : { name: columns.header[splitIndex], values: table.rows.map((r) => r.fields[splitIndex]), lines };
  return { label, biases, biasNames: columns.biases.map((b) => b.name), split };
}

/** A label column's trimmed values; a missing JSON value is an error at its line. */
function labelValues(table: TextTable, index: number, column: string): { column: string; values: string[]; lines: number[] } {
  const values = table.rows.map(({ fields, line }) => {
    const value = fields[index];
    if (value === null) throw new DatasetError(table.file, `column "${column}": expected a label, got none (the key is missing or null)`, line);
    return value.trim();
  });
  return { column, values, lines: table.rows.map((r) => r.line) };
}

/** BISE contrasts bias groups: every bias column must take two values in train. */
export function requireBiasVariation(labels: TableLabels, train: Int32Array, file: string): void {
  labels.biases.forEach((bias, k) => {
    const names = bias.names;
    requireVariation(pickValues(bias.codes, train), file, `column "${labels.biasNames[k]}"`, (v) => (names ? `"${names[v]}"` : String(v)));
  });
}
