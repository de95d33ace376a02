/**
 * A user dataset described by a CSV: header `path,label,bias[,bias2…][,split]`, or any header with a column
 * mapping (options.columns: which column is the image path, the target and the bias), one image (PNG or JPEG) per
 * row. Paths are relative to the CSV's folder and may not leave it. Labels and biases are integers or class
 * names. With a `split` column (train/val/test) rows go where it says; without one they are split by seed,
 * stratified by (label, bias…). Images are converted to RGB or grey, resized bilinearly to one size and
 * normalised per channel. Errors give the CSV file and the row as a spreadsheet numbers it (header = row 1).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { CsvImageRef, parseImageSize, readCsvImage, readCsvImageResized } from './csv-images';
import { CsvColumnMapping, findCsvColumns } from './csv-columns';
import { encodeLabelColumn } from './csv-labels';
import { CsvRecord, parseCsvBytes } from './csv';
import { DatasetLabels, DatasetMeta, InMemoryDataset, validateDataset } from './dataset';
import { Splits } from './digit-splits';
import { DatasetError } from './errors';
import { DEFAULT_MAX_IMAGE_PIXELS } from './image-decode';
import { resolveInside } from './image-paths';
import { ImageChannels } from './image-planes';
import { requireVariation } from './label-checks';
import { ChannelNormalisation, NormalizeOptions, normalisePixels, resolveNormalisation } from './pixel-normalisation';
import { assignSplits, pickValues as pick } from './split-assignment';

export interface ImageCsvOptions {
  /** 3 = RGB (default), 1 = grey. */
  readonly channels?: ImageChannels;
  /** [height, width], or one number for a square; default: the size of the first row's image. */
  readonly size?: number | readonly [number, number];
  /** Applied to pixels in [0, 1]; default mean 0.5, std 0.5. */
  readonly normalize?: NormalizeOptions;
  /** Without a split column: share of rows for val (default 0.1); with one but no val rows: share of train carved out. */
  readonly valFraction?: number;
  /** Without a split column: share of rows for test (default 0.2). */
  readonly testFraction?: number;
  /** Seed of the split (default 0). */
  readonly seed?: number;
  /** Class count of integer labels (default: max + 1); with class names, at least the number of names. */
  readonly numClasses?: number;
  /** One per bias column, likewise. */
  readonly biasClasses?: readonly number[];
  /** Largest image accepted, in pixels (default 2^26). */
  readonly maxImagePixels?: number;
  /** Dataset name prefix (default: the CSV's file name). */
  readonly name?: string;
  /** Which columns are the image path, the target and the bias (default: by name, path/label/bias*). */
  readonly columns?: CsvColumnMapping;
}

/** 4 GiB of float32 across all splits in memory; past that, a typo in `size` is likelier, or the data wants streaming. */
const MAX_DATASET_VALUES = 2 ** 30;
const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** Reads the CSV and its images into train/val/test datasets. */
export function readImageCsv(csvPath: string, options: ImageCsvOptions = {}): Splits<InMemoryDataset> {
  return imageCsvInMemory(planImageCsv(csvPath, options));
}

/** Everything about an image CSV but its pixels: rows of each split, labels, image size, normalisation. */
export interface ImageCsvPlan {
  readonly file: string;
  /** Data rows of the CSV (header excluded). */
  readonly rowCount: number;
  /** Data-row indices of each split. */
  readonly rows: Splits<Int32Array>;
  readonly dims: readonly [number, number, number];
  readonly norm: ChannelNormalisation;
  /** Where the image of data row `row` is, with what errors about it should name. */
  imageAt(row: number): CsvImageRef;
  /** The split's dataset without pixels (labels, classes, metadata). */
  labels(split: SplitName): DatasetLabels;
}

/** The CSV read, checked and split; no image but the first (for its size) is read. */
export function planImageCsv(csvPath: string, options: ImageCsvOptions = {}): ImageCsvPlan {
  const file = resolve(csvPath);
  return planImageTable({ file, root: dirname(file), records: readRecords(file) }, options);
}

/**
 * Rows of images as a CSV reader sees them: a header record, then one record per image whose path is relative to
 * `root`. Other listings (an attribute file joined with an image folder: attributes/) build one and are planned,
 * read and streamed exactly as a CSV.
 */
export interface ImageTable {
  /** The file errors name (rows by their `line` in it). */
  readonly file: string;
  readonly root: string;
  readonly records: readonly CsvRecord[];
  /** Replaces or adds to the splits' metadata (e.g. another `format`). */
  readonly meta?: DatasetMeta;
}

/** The table checked and split; no image but the first (for its size) is read. */
export function planImageTable(table: ImageTable, options: ImageCsvOptions = {}): ImageCsvPlan {
  const { file, root, records } = table;
  const columns = findCsvColumns(records[0], file, options.columns);
  const rows = records.slice(1);
  if (rows.length === 0) throw new DatasetError(file, 'expected at least one data row after the header, got none');
  rows.forEach((record) => {
    if (record.fields.length !== columns.header.length) {
      throw new DatasetError(file, `expected ${columns.header.length} fields (${columns.header.join(',')}), got ${record.fields.length}`, record.line);
    }
  });
  // Paths are checked before anything else is read, so that no row can point outside the folder.
  const paths = rows.map((record) => {
    const resolved = resolveInside(root, record.fields[columns.path].trim());
    if (!resolved.ok) throw new DatasetError(file, `column "${columns.header[columns.path]}": ${resolved.reason}`, record.line);
    return resolved.path;
  });
  const lines = rows.map((r) => r.line);
  const valuesOf = (index: number, column: string) => ({ column, values: rows.map((r) => r.fields[index].trim()), lines });

  const label = encodeLabelColumn(valuesOf(columns.label, columns.header[columns.label]), file, options.numClasses);
  if (options.biasClasses !== undefined && options.biasClasses.length !== columns.biases.length) {
    throw new DatasetError(file, `options.biasClasses: expected ${columns.biases.length} entries (one per bias column), got ${options.biasClasses.length}`);
  }
  const biases = columns.biases.map(({ name, index }, k) => encodeLabelColumn(valuesOf(index, name), file, options.biasClasses?.[k]));
  const seed = options.seed ?? 0;
  const split = columns.split === undefined ? undefined : { name: 'split', values: rows.map((r) => r.fields[columns.split as number]), lines };
  const assignment = assignSplits([label.codes, ...biases.map((b) => b.codes)], split, { ...options, seed }, file, 'image-csv');
  columns.biases.forEach(({ name }, k) => {
    const names = biases[k].names;
    requireVariation(pick(biases[k].codes, assignment.rows.train), file, `column "${name}"`, (v) => (names ? `"${names[v]}"` : String(v)));
  });

  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new DatasetError(file, `options.channels: expected 1 (grey) or 3 (RGB), got ${String(channels)}`);
  const maxPixels = options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  const imageAt = (row: number): CsvImageRef => ({ root, path: paths[row], entry: rows[row].fields[columns.path].trim(), csv: file, line: rows[row].line, channels, maxPixels });
  const [height, width] = options.size === undefined ? firstImageSize(imageAt(0)) : parseImageSize(options.size, file);
  const dims: [number, number, number] = [channels, height, width];
  const norm = resolveNormalisation(options.normalize, channels, file);

  const name = options.name ?? basename(file);
  const labels = (split: SplitName): DatasetLabels => {
    const members = assignment.rows[split];
    const meta: DatasetMeta = {
      format: 'image-csv',
      source: file,
      split,
      ...assignment.meta,
      classNames: label.names,
      biasNames: columns.biases.map((b) => b.name),
      biasValueNames: biases.map((b) => b.names),
      imageSize: [height, width],
      channels,
      normalize: { mean: norm.mean, std: norm.std },
      ignoredColumns: columns.ignored,
      ...table.meta,
    };
    return {
      name: `${name}/${split}`,
      dims,
      y: pick(label.codes, members),
      biases: biases.map((b) => pick(b.codes, members)),
      numClasses: label.classes,
      biasClasses: biases.map((b) => b.classes),
      meta,
    };
  };
  return { file, rowCount: rows.length, rows: assignment.rows, dims, norm, imageAt, labels };
}

/** Bytes the splits' normalised float32 pixels take in memory (to choose between memory and streaming). */
export function imageCsvFloatBytes(plan: ImageCsvPlan): number {
  const [c, h, w] = plan.dims;
  return 4 * c * h * w * (plan.rows.train.length + plan.rows.val.length + plan.rows.test.length);
}

/** Decodes every image of the plan into memory, normalised. */
export function imageCsvInMemory(plan: ImageCsvPlan): Splits<InMemoryDataset> {
  const { file, dims, norm } = plan;
  const [channels, height, width] = dims;
  const sample = channels * height * width;
  const total = imageCsvFloatBytes(plan) / 4;
  if (total > MAX_DATASET_VALUES) {
    throw new DatasetError(file, `${plan.rowCount} images of ${channels}×${height}×${width} would need ${total} values, more than the limit of ${MAX_DATASET_VALUES} in memory: expected a smaller options.size, or stream the dataset (--stream)`);
  }
  const build = (split: SplitName): InMemoryDataset => {
    const members = plan.rows[split];
    const x = new Float32Array(members.length * sample);
    members.forEach((row, i) => {
      const planes = readCsvImageResized(plan.imageAt(row), height, width);
      normalisePixels({ values: planes, layout: 'NCHW', count: 1, dims, divisor: 1 }, norm, x, i * sample);
    });
    return validateDataset({ ...plan.labels(split), x });
  };
  return { train: build('train'), val: build('val'), test: build('test') };
}

function readRecords(file: string): CsvRecord[] {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError(file, `could not read the CSV file (${(err as Error).message})`);
  }
  const records = parseCsvBytes(bytes, file);
  if (records.length === 0) throw new DatasetError(file, 'the file is empty: expected a header path,label,bias[,bias2…][,split] and data rows');
  return records;
}

function firstImageSize(image: CsvImageRef): [number, number] {
  const first = readCsvImage(image);
  return [first.height, first.width];
}

