/**
 * A text dataset tokenised beforehand and saved as NumPy arrays in one folder: input_ids.npy and
 * attention_mask.npy ([N, L] integers, as `tokenizer(texts, padding=…, return_tensors='np')` gives them),
 * token_type_ids.npy when the model takes segments (zeros otherwise, as BERT assumes), and the labels either as
 * labels.csv (one row per text: target, bias column(s) and an optional split, mapped as for a text CSV) or as
 * y.npy ([N]) and b.npy ([N] or [N, k]) as in a .npy image folder. Without a split column rows are split by
 * seed, stratified by (label, bias…). Padding columns at the end that no row uses are dropped, so L is the
 * longest sequence; a longer one than maxLength is refused rather than cut (cutting would drop the end token).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { DatasetMeta } from '../dataset';
import { Splits } from '../digit-splits';
import { DatasetError } from '../errors';
import { resolveClassCount } from '../label-checks';
import { NpyArray, formatShape, readNpyFile } from '../npy';
import { labelColumn, labelTableShape } from '../npy-labels';
import { LabelClassOptions, TableLabels, requireBiasVariation, tableLabels } from './table-labels';
import { TextColumnMapping, findTextColumns } from './text-columns';
import { TextDataset, TokenTensors } from './text-dataset';
import { SplitOptions, assignTextSplits, buildTextSplits } from './text-splits';
import { readTextTable } from './text-table';

export interface TokenNpyFolderOptions extends SplitOptions, LabelClassOptions {
  /** Most tokens per row; a folder whose longest row is longer is refused (default: no cap). */
  readonly maxLength?: number;
  /** labels.csv's target and bias columns (default: by name, label/bias*). */
  readonly columns?: Omit<TextColumnMapping, 'text'>;
  /** Dataset name prefix (default: the folder's name). */
  readonly name?: string;
}

export interface TokenNpyFiles {
  readonly inputIds: string;
  readonly attentionMask: string;
  readonly tokenTypeIds: string;
  readonly labelsCsv: string;
  readonly y: string;
  readonly b: string;
}

export function tokenNpyFiles(dir: string): TokenNpyFiles {
  const at = (name: string) => join(dir, name);
  return {
    inputIds: at('input_ids.npy'),
    attentionMask: at('attention_mask.npy'),
    tokenTypeIds: at('token_type_ids.npy'),
    labelsCsv: at('labels.csv'),
    y: at('y.npy'),
    b: at('b.npy'),
  };
}

const TOKEN_DTYPES = ['u1', 'i1', 'i2', 'i4', 'i8', 'bool'];

/** Reads the folder into train/val/test datasets. */
export function readTokenNpyFolder(dir: string, options: TokenNpyFolderOptions = {}): Splits<TextDataset> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new DatasetError(root, 'expected a folder holding input_ids.npy, attention_mask.npy and labels.csv (or y.npy and b.npy): not found');
  const files = tokenNpyFiles(root);
  for (const [file, what] of [
    [files.inputIds, 'the token ids ([N, L] integers)'],
    [files.attentionMask, 'the attention mask ([N, L], 1 for a token, 0 for padding)'],
  ]) {
    if (!existsSync(file)) throw new DatasetError(file, `missing: expected ${what} here`);
  }
  const ids = tokenArray(readNpyFile(files.inputIds), files.inputIds, undefined);
  const mask = tokenArray(readNpyFile(files.attentionMask), files.attentionMask, ids.shape);
  const types = existsSync(files.tokenTypeIds) ? tokenArray(readNpyFile(files.tokenTypeIds), files.tokenTypeIds, ids.shape) : undefined;
  const [rows, width] = ids.shape;
  requireAtLeast(ids.values, 0n, files.inputIds, 'token ids', width);
  const badMask = mask.values.findIndex((v) => v !== 0n && v !== 1n);
  if (badMask >= 0) throw new DatasetError(files.attentionMask, `expected 0 or 1, got ${mask.values[badMask]} at position ${badMask % width}`, Math.floor(badMask / width));
  if (types) requireAtLeast(types.values, 0n, files.tokenTypeIds, 'segment ids', width);

  const length = usedLength(mask.values, rows, width);
  if (length === 0) throw new DatasetError(files.attentionMask, 'every position is padding (all zeros): expected at least one token');
  if (options.maxLength !== undefined) {
    if (!Number.isInteger(options.maxLength) || options.maxLength < 1) throw new DatasetError(root, `maxLength: expected a positive integer, got ${options.maxLength}`);
    if (length > options.maxLength) {
      throw new DatasetError(files.attentionMask, `rows hold up to ${length} tokens, more than maxLength ${options.maxLength}: tokenise again with truncation=True, max_length=${options.maxLength}`);
    }
  }
  const tensors: TokenTensors = {
    inputIds: firstColumns(ids.values, rows, width, length),
    attentionMask: firstColumns(mask.values, rows, width, length),
    tokenTypeIds: types ? firstColumns(types.values, rows, width, length) : new BigInt64Array(rows * length),
    sequenceLength: length,
  };

  const labels = readFolderLabels(files, rows, options);
  const assignment = assignTextSplits([labels.label.codes, ...labels.biases.map((b) => b.codes)], labels.split, options, labels.file);
  requireBiasVariation(labels, assignment.rows.train, labels.file);
  const meta: DatasetMeta = {
    format: 'token-npy-folder',
    source: root,
    ...assignment.meta,
    labels: labels.file,
    tokenTypeIds: types ? 'file' : 'zeros',
    sequenceLength: length,
    droppedPaddingColumns: width - length,
    maxLength: options.maxLength ?? null,
  };
  return buildTextSplits({ name: options.name ?? basename(root), tensors, labels, rows: assignment.rows, meta });
}

interface TokenArray {
  readonly shape: readonly [number, number];
  readonly values: BigInt64Array;
}

/** An [N, L] integer array as int64; `like` is the shape it must share with input_ids. */
function tokenArray(array: NpyArray, file: string, like: readonly [number, number] | undefined): TokenArray {
  if (!TOKEN_DTYPES.includes(array.dtype)) {
    throw new DatasetError(file, `expected integers (i8, i4, i2, i1, u1 or bool), got dtype ${array.dtype}; save with a.astype(np.int64)`);
  }
  if (array.shape.length !== 2 || array.shape[0] < 1 || array.shape[1] < 1) {
    throw new DatasetError(file, `expected shape (N, L) with N, L ≥ 1 (one row of tokens per text), got ${formatShape(array.shape)}`);
  }
  const shape: [number, number] = [array.shape[0], array.shape[1]];
  if (like !== undefined && (shape[0] !== like[0] || shape[1] !== like[1])) {
    throw new DatasetError(file, `expected the shape of input_ids.npy, ${formatShape(like)}, got ${formatShape(shape)}`);
  }
  const data = array.data;
  const values = data instanceof BigInt64Array ? BigInt64Array.from(data) : BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
  return { shape, values };
}

function requireAtLeast(values: BigInt64Array, least: bigint, file: string, what: string, width: number): void {
  const bad = values.findIndex((v) => v < least);
  if (bad >= 0) throw new DatasetError(file, `${what}: expected values ≥ ${least}, got ${values[bad]} at position ${bad % width}`, Math.floor(bad / width));
}

/** Columns up to the last one any row's mask uses. */
function usedLength(mask: BigInt64Array, rows: number, width: number): number {
  let length = 0;
  for (let row = 0; row < rows; row++) {
    for (let col = width - 1; col >= length; col--) {
      if (mask[row * width + col] === 1n) {
        length = col + 1;
        break;
      }
    }
  }
  return length;
}

function firstColumns(values: BigInt64Array, rows: number, width: number, length: number): BigInt64Array {
  if (length === width) return values;
  const out = new BigInt64Array(rows * length);
  for (let row = 0; row < rows; row++) out.set(values.subarray(row * width, row * width + length), row * length);
  return out;
}

interface FolderLabels extends TableLabels {
  /** The file the labels came from. */
  readonly file: string;
}

/** labels.csv, or y.npy and b.npy; exactly one of the two. */
function readFolderLabels(files: TokenNpyFiles, rows: number, options: TokenNpyFolderOptions): FolderLabels {
  const hasCsv = existsSync(files.labelsCsv);
  const hasNpy = existsSync(files.y) || existsSync(files.b);
  if (hasCsv && hasNpy) throw new DatasetError(files.labelsCsv, `found both labels.csv and y.npy/b.npy: keep one source of labels`);
  if (hasCsv) {
    const table = readTextTable(files.labelsCsv, 'csv');
    if (table.rows.length !== rows) {
      throw new DatasetError(files.labelsCsv, `expected one data row per row of input_ids.npy (${rows}), got ${table.rows.length}`);
    }
    const columns = findTextColumns({ names: table.header, file: files.labelsCsv, line: table.headerLine }, options.columns, false);
    return { ...tableLabels(table, columns, options), file: files.labelsCsv };
  }
  for (const [file, what] of [
    [files.y, 'the target labels ([N] integers)'],
    [files.b, 'the bias labels ([N] or [N, k] integers)'],
  ]) {
    if (!existsSync(file)) throw new DatasetError(file, `missing: expected ${what} here, or labels.csv (label, bias…, split) beside input_ids.npy`);
  }
  const yArray = readNpyFile(files.y);
  const bArray = readNpyFile(files.b);
  const yTable = labelTableShape(yArray, files.y, 'y', false);
  const bTable = labelTableShape(bArray, files.b, 'b', true);
  for (const [file, count] of [
    [files.y, yTable.rows],
    [files.b, bTable.rows],
  ] as const) {
    if (count !== rows) throw new DatasetError(file, `expected one entry per row of input_ids.npy (${rows}), got ${count}`);
  }
  const y = labelColumn(yArray, rows, 1, 0, files.y, 'y');
  const biasNames = Array.from({ length: bTable.columns }, (_, k) => (bArray.shape.length === 1 ? 'b' : `b[:, ${k}]`));
  const biasCodes = biasNames.map((what, k) => labelColumn(bArray, rows, bTable.columns, k, files.b, what));
  if (options.biasClasses !== undefined && options.biasClasses.length !== biasCodes.length) {
    throw new DatasetError(files.b, `options.biasClasses: expected ${biasCodes.length} entries (one per bias column), got ${options.biasClasses.length}`);
  }
  return {
    file: files.y,
    label: { codes: y, names: null, classes: resolveClassCount([{ labels: y, file: files.y }], options.numClasses, 'numClasses') },
    biases: biasCodes.map((codes, k) => ({ codes, names: null, classes: resolveClassCount([{ labels: codes, file: files.b }], options.biasClasses?.[k], `biasClasses[${k}]`) })),
    biasNames,
    split: undefined,
  };
}
