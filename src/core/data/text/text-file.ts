/**
 * A user text dataset: a CSV or JSON Lines file with a text column, a target column and one or more bias columns
 * (mapped as for the image CSV: by name, text/label/bias*, or by options.columns), tokenised by the model's
 * Hugging Face tokenizer.json into train/val/test TextDatasets. Labels and biases are integers or class names
 * (../csv-labels.ts). With a `split` column rows go where it says; without one they are split by seed,
 * stratified by (label, bias…). Every split is padded to one length: the file's longest text, capped by
 * maxLength. Errors name the file and the row's line.
 */
import { basename, resolve } from 'node:path';
import type { DatasetMeta } from '../dataset';
import { Splits } from '../digit-splits';
import { DatasetError } from '../errors';
import { LabelClassOptions, requireBiasVariation, tableLabels } from './table-labels';
import { TextColumnMapping, findTextColumns } from './text-columns';
import { TextDataset, TokenTensors } from './text-dataset';
import { SplitOptions, assignTextSplits, buildTextSplits } from './text-splits';
import { TextFileFormat, readTextTable, textFileFormat } from './text-table';
import { TextTokenizer, encodeText, loadTextTokenizer } from './text-tokenizer';
import { padTokenBatch } from './token-batch';

export interface TextFileOptions extends SplitOptions, LabelClassOptions {
  /** The model's tokenizer.json, the folder that holds it, or a tokenizer already loaded. */
  readonly tokenizer: string | TextTokenizer;
  /** Most tokens per text, special tokens included (default: tokenizer_config.json's model_max_length, else no cap). */
  readonly maxLength?: number;
  /** The pad token when the tokenizer's files name none. */
  readonly padToken?: string;
  /** Default: from the extension (.csv; .jsonl or .ndjson). */
  readonly format?: TextFileFormat;
  /** Which columns are the text, the target and the bias (default: by name, text/label/bias*). */
  readonly columns?: TextColumnMapping;
  /** Dataset name prefix (default: the file's name). */
  readonly name?: string;
}

/** Reads and tokenises the file into train/val/test datasets. */
export function readTextFile(path: string, options: TextFileOptions): Splits<TextDataset> {
  const file = resolve(path);
  const format = textFileFormat(file, options.format);
  const table = readTextTable(file, format);
  const columns = findTextColumns({ names: table.header, file, line: table.headerLine }, options.columns, true);
  if (table.rows.length === 0) throw new DatasetError(file, 'expected at least one data row, got none');
  const labels = tableLabels(table, columns, options);
  const assignment = assignTextSplits([labels.label.codes, ...labels.biases.map((b) => b.codes)], labels.split, options, file);
  requireBiasVariation(labels, assignment.rows.train, file);

  const tokenizer = typeof options.tokenizer === 'string' ? loadTextTokenizer(options.tokenizer, { padToken: options.padToken }) : options.tokenizer;
  const maxLength = resolveMaxLength(options.maxLength, tokenizer, file);
  const textColumn = columns.text as number;
  const textName = columns.header[textColumn];
  const encoded = table.rows.map(({ fields, line }) => {
    const text = fields[textColumn];
    if (text === null) throw new DatasetError(file, `column "${textName}": expected a text, got none (the key is missing or null)`, line);
    return encodeText(tokenizer, text, maxLength.value, { file, line });
  });
  const tensors = padTokenBatch(encoded, { padId: tokenizer.padId, padTypeId: tokenizer.padTypeId, side: tokenizer.paddingSide }, file);
  const meta: DatasetMeta = {
    format: format === 'csv' ? 'text-csv' : 'text-jsonl',
    source: file,
    ...assignment.meta,
    textColumn: textName,
    ignoredColumns: columns.ignored,
    ...tokenizerMeta(tokenizer, maxLength, tensors),
    truncatedTexts: encoded.filter((e) => e.truncated).length,
  };
  return buildTextSplits({ name: options.name ?? basename(file), tensors, labels, rows: assignment.rows, meta });
}

export interface ResolvedMaxLength {
  /** undefined: no cap. */
  readonly value: number | undefined;
  readonly from: 'options' | 'tokenizer_config.json' | 'none';
}

/** options.maxLength, else the tokenizer's model_max_length (as transformers truncates to it), else no cap. */
export function resolveMaxLength(given: number | undefined, tokenizer: TextTokenizer, source: string): ResolvedMaxLength {
  if (given !== undefined) {
    if (!Number.isInteger(given) || given < 1) throw new DatasetError(source, `maxLength: expected a positive integer, got ${given}`);
    return { value: given, from: 'options' };
  }
  return tokenizer.modelMaxLength === undefined ? { value: undefined, from: 'none' } : { value: tokenizer.modelMaxLength, from: 'tokenizer_config.json' };
}

/** What the datasets record about their tokenisation. */
export function tokenizerMeta(tokenizer: TextTokenizer, maxLength: ResolvedMaxLength, tensors: TokenTensors): DatasetMeta {
  return {
    tokenizer: tokenizer.file,
    padToken: tokenizer.padToken,
    padId: tokenizer.padId,
    padTokenFrom: tokenizer.padSource,
    paddingSide: tokenizer.paddingSide,
    maxLength: maxLength.value ?? null,
    maxLengthFrom: maxLength.from,
    sequenceLength: tensors.sequenceLength,
  };
}
