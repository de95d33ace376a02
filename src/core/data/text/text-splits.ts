/**
 * Which rows of a text dataset go to train, val and test, by the rules of the image CSV (../split-assignment.ts),
 * over rows that may come from a JSONL file or a labels table; then the three datasets, each with its rows'
 * tokens and labels.
 */
import type { DatasetMeta } from '../dataset';
import { Splits } from '../digit-splits';
import { SplitAssignment, SplitColumn, SplitOptions, assignSplits } from '../split-assignment';
import type { TableLabels } from './table-labels';
import { TextDataset, TokenTensors, pickTokenRows, pickValues, validateTextDataset } from './text-dataset';

export type { SplitAssignment, SplitColumn, SplitOptions } from '../split-assignment';

/** Assigns rows given their label columns (target first), the split column if any, and the options. */
export function assignTextSplits(labels: readonly Int32Array[], split: SplitColumn | undefined, options: SplitOptions, file: string): SplitAssignment {
  return assignSplits(labels, split, options, file, 'text-data');
}

export interface TextSplitParts {
  /** Dataset name prefix. */
  readonly name: string;
  /** Every row's tokens, before splitting. */
  readonly tensors: TokenTensors;
  readonly labels: Pick<TableLabels, 'label' | 'biases' | 'biasNames'>;
  readonly rows: Splits<Int32Array>;
  /** Shared by the splits; split, size and the label names are added. */
  readonly meta: DatasetMeta;
}

/** The three datasets of an assignment of rows to splits. */
export function buildTextSplits(parts: TextSplitParts): Splits<TextDataset> {
  const { label, biases, biasNames } = parts.labels;
  const build = (split: keyof Splits<unknown>): TextDataset => {
    const rows = parts.rows[split];
    return validateTextDataset({
      name: `${parts.name}/${split}`,
      ...pickTokenRows(parts.tensors, rows),
      y: pickValues(label.codes, rows),
      biases: biases.map((b) => pickValues(b.codes, rows)),
      numClasses: label.classes,
      biasClasses: biases.map((b) => b.classes),
      meta: { ...parts.meta, split, size: rows.length, classNames: label.names, biasNames, biasValueNames: biases.map((b) => b.names) },
    });
  };
  return { train: build('train'), val: build('val'), test: build('test') };
}
