/**
 * A user dataset saved as NumPy arrays in one folder: x_<split>.npy (images, uint8 0–255 or float, NCHW or
 * NHWC), y_<split>.npy (target labels) and b_<split>.npy (bias labels: [N] for one attribute, [N, k] for k),
 * for split = train, val, test. The val files may be left out; val is then carved, stratified and seeded, out
 * of train.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Dataset, DatasetLabels, DatasetMeta, InMemoryDataset, subsetDataset, validateDataset } from './dataset';
import { Splits } from './digit-splits';
import { DatasetError } from './errors';
import { ImageLayout, ImageShape, imageShape } from './image-layout';
import { requireVariation, resolveClassCount } from './label-checks';
import { NpyArray, readNpyFile } from './npy';
import { NpyDtypeName } from './npy-dtype';
import { labelColumn, labelTableShape } from './npy-labels';
import { ChannelNormalisation, NormalizeOptions, normalisePixels, resolveNormalisation } from './pixel-normalisation';
import { deriveSeed } from './random';
import { jointGroups, splitByFractions } from './seeded-splits';

export interface NpyFolderOptions {
  /** Layout of the x arrays; detected from which axis has 1 or 3 channels when left out. */
  readonly layout?: ImageLayout;
  /** Applied to x/255 (uint8) or x (float); default mean 0.5, std 0.5. */
  readonly normalize?: NormalizeOptions;
  /** Share of train carved out as val when there are no val files (default 0.1). */
  readonly valFraction?: number;
  /** Seed of that carving (default 0). */
  readonly seed?: number;
  /** Default: the largest label + 1 across the splits. */
  readonly numClasses?: number;
  /** One per bias column; default: the largest value + 1 across the splits. */
  readonly biasClasses?: readonly number[];
  /** Dataset name prefix (default: the folder's name). */
  readonly name?: string;
}

export type NpySplitName = keyof Splits<unknown>;

export interface NpySplitFiles {
  readonly x: string;
  readonly y: string;
  readonly b: string;
}

/** The files a split is read from. */
export function npySplitFiles(dir: string, split: NpySplitName): NpySplitFiles {
  return { x: join(dir, `x_${split}.npy`), y: join(dir, `y_${split}.npy`), b: join(dir, `b_${split}.npy`) };
}

/** One split as read from its files, before class counts are known; P holds its pixels (see NpyPixelReader). */
interface SplitArrays<P> {
  readonly files: NpySplitFiles;
  readonly pixels: P;
  readonly dims: readonly [number, number, number];
  readonly layout: ImageLayout;
  readonly inputDtype: NpyDtypeName;
  readonly norm: ChannelNormalisation;
  readonly y: Int32Array;
  readonly biases: readonly Int32Array[];
  /** 'b' for a 1-D bias file, 'b[:, k]' for the columns of a 2-D one. */
  readonly biasNames: readonly string[];
}

const DEFAULT_VAL_FRACTION = 0.1;

/**
 * How a split's images are held once their file's dtype and shape are known: read whole and normalised here, or
 * left on disk and read by offset (streaming/npy-source.ts).
 */
export interface NpyPixelReader<P> {
  open(file: string): { readonly dtype: NpyDtypeName; readonly shape: readonly number[]; pixels(shape: ImageShape, norm: ChannelNormalisation): P };
}

const IN_MEMORY: NpyPixelReader<Float32Array> = {
  open(file) {
    const xArray = readNpyFile(file);
    return {
      dtype: xArray.dtype,
      shape: xArray.shape,
      pixels(shape, norm) {
        if (xArray.dtype !== 'u1') requireFinite(xArray, shape.dims, file);
        const x = new Float32Array(xArray.data.length);
        normalisePixels({ values: xArray.data as ArrayLike<number>, layout: shape.layout, count: shape.count, dims: shape.dims, divisor: xArray.dtype === 'u1' ? 255 : 1 }, norm, x);
        return x;
      },
    };
  },
};

/** Reads the train/val/test splits of a .npy folder. */
export function readNpyFolder(dir: string, options: NpyFolderOptions = {}): Splits<InMemoryDataset> {
  return buildNpyFolder(dir, options, IN_MEMORY, (labels, x) => ({ ...labels, x }));
}

/**
 * The splits of a .npy folder with their pixels held as `reader` holds them; `dataset` joins a split's labels
 * and pixels into a dataset.
 */
export function buildNpyFolder<P, D extends Dataset>(dir: string, options: NpyFolderOptions, reader: NpyPixelReader<P>, dataset: (labels: DatasetLabels, pixels: P) => D): Splits<D> {
  const readSplitArrays = (files: NpySplitFiles, layout: ImageLayout | undefined): SplitArrays<P> => readSplit(files, layout, options, reader);
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new DatasetError(root, 'expected a folder holding x_train.npy, y_train.npy, b_train.npy, … (not found)');
  const name = options.name ?? basename(root);
  const hasValFiles = requireSplitFiles(root);
  const train = readSplitArrays(npySplitFiles(root, 'train'), options.layout);
  if (train.y.length === 0) throw new DatasetError(train.files.x, 'expected at least one training image, got none');
  // The layout detected on train holds for every split: one folder, one convention.
  const val = hasValFiles ? readSplitArrays(npySplitFiles(root, 'val'), train.layout) : undefined;
  const test = readSplitArrays(npySplitFiles(root, 'test'), train.layout);
  const all = val ? [train, val, test] : [train, test];
  all.forEach((other) => checkMatchesTrain(train, other));
  train.biases.forEach((bias, k) => requireVariation(bias, train.files.b, `column ${k} (${train.biasNames[k]})`));

  const numClasses = resolveClassCount(all.map((s) => ({ labels: s.y, file: s.files.y })), options.numClasses, 'numClasses');
  if (options.biasClasses !== undefined && options.biasClasses.length !== train.biases.length) {
    throw new DatasetError(train.files.b, `options.biasClasses: expected ${train.biases.length} entries (one per bias column), got ${options.biasClasses.length}`);
  }
  const biasClasses = train.biases.map((_, k) =>
    resolveClassCount(all.map((s) => ({ labels: s.biases[k], file: s.files.b })), options.biasClasses?.[k], `biasClasses[${k}]`),
  );

  const valFraction = options.valFraction ?? DEFAULT_VAL_FRACTION;
  const seed = options.seed ?? 0;
  const build = (arrays: SplitArrays<P>, split: NpySplitName, valOrigin: DatasetMeta): D =>
    validateDataset(
      dataset(
        {
          name: `${name}/${split}`,
          dims: arrays.dims,
          y: arrays.y,
          biases: arrays.biases,
          numClasses,
          biasClasses,
          meta: splitMeta(root, split, arrays, valOrigin),
        },
        arrays.pixels,
      ),
    );
  if (val) {
    const fromFiles = { from: 'files' };
    return { train: build(train, 'train', fromFiles), val: build(val, 'val', fromFiles), test: build(test, 'test', fromFiles) };
  }
  // No val files: carve val out of train, stratified by (target, bias…) so that rare groups reach val too.
  const carve = splitByFractions(jointGroups([train.y, ...train.biases]), { val: valFraction, test: 0 }, deriveSeed(seed, 'npy-folder', 'val'), train.files.y);
  const carved = { from: 'train', valFraction, seed };
  const whole = build(train, 'train', carved);
  const part = (rows: Int32Array, split: NpySplitName): D => {
    const subset = subsetDataset(whole, rows, `${name}/${split}`);
    return { ...subset, meta: { ...whole.meta, split, size: rows.length } };
  };
  return { train: part(carve.train, 'train'), val: part(carve.val, 'val'), test: build(test, 'test', carved) };
}

/** Every split needs x, y and b; val may be absent as a whole. Returns whether the val files are there. */
function requireSplitFiles(root: string): boolean {
  const valFiles = Object.values(npySplitFiles(root, 'val'));
  const hasVal = valFiles.some((file) => existsSync(file));
  for (const split of ['train', 'val', 'test'] as const) {
    if (split === 'val' && !hasVal) continue;
    for (const [what, file] of Object.entries(npySplitFiles(root, split))) {
      if (!existsSync(file)) {
        const role = { x: 'images', y: 'target labels', b: 'bias labels' }[what];
        const hint = split === 'val' ? ' (or remove all val files to carve val out of train)' : '';
        throw new DatasetError(file, `missing: expected the ${split} split's ${role} here${hint}`);
      }
    }
  }
  return hasVal;
}

function readSplit<P>(files: NpySplitFiles, layout: ImageLayout | undefined, options: NpyFolderOptions, reader: NpyPixelReader<P>): SplitArrays<P> {
  const xArray = reader.open(files.x);
  const yArray = readNpyFile(files.y);
  const bArray = readNpyFile(files.b);
  if (xArray.dtype !== 'u1' && xArray.dtype !== 'f4' && xArray.dtype !== 'f8') {
    throw new DatasetError(files.x, `x: expected uint8 pixels 0–255 (u1) or float images (f4, f8), got dtype ${xArray.dtype}`);
  }
  const shape = imageShape(xArray.shape, files.x, layout);
  const yTable = labelTableShape(yArray, files.y, 'y', false);
  const bTable = labelTableShape(bArray, files.b, 'b', true);
  for (const [file, rows, what] of [
    [files.y, yTable.rows, 'labels'],
    [files.b, bTable.rows, 'bias rows'],
  ] as const) {
    if (rows !== shape.count) throw new DatasetError(file, `expected one entry per image of ${files.x} (${shape.count} images), got ${rows} ${what}`);
  }
  const norm = resolveNormalisation(options.normalize, shape.dims[0], files.x);
  const pixels = xArray.pixels(shape, norm);
  const biasNames = Array.from({ length: bTable.columns }, (_, k) => (bArray.shape.length === 1 ? 'b' : `b[:, ${k}]`));
  return {
    files,
    pixels,
    dims: shape.dims,
    layout: shape.layout,
    inputDtype: xArray.dtype,
    norm,
    y: labelColumn(yArray, yTable.rows, 1, 0, files.y, 'y'),
    biases: biasNames.map((what, k) => labelColumn(bArray, bTable.rows, bTable.columns, k, files.b, what)),
    biasNames,
  };
}

/** NaN or ±Inf in the images would silently poison every gradient; report the first one. */
function requireFinite(array: NpyArray, dims: readonly number[], file: string): void {
  requireFiniteValues(array.data as Float32Array | Float64Array, dims, file, 0);
}

/** The same check on values that start at sample `first` of the file (a streamed sample). */
export function requireFiniteValues(data: Float32Array | Float64Array, dims: readonly number[], file: string, first: number): void {
  const sample = dims[0] * dims[1] * dims[2];
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const flat = first * sample + i;
      throw new DatasetError(file, `x: expected finite values, got ${data[i]} at flat index ${flat} (index ${flat % sample} of the sample)`, Math.floor(flat / sample));
    }
  }
}

/** Every split must have the train images' [C, H, W] and the same number of bias columns. */
function checkMatchesTrain<P>(train: SplitArrays<P>, other: SplitArrays<P>): void {
  if (other.dims.some((d, i) => d !== train.dims[i])) {
    throw new DatasetError(other.files.x, `expected images of [C, H, W] = [${train.dims.join(', ')}] like ${train.files.x}, got [${other.dims.join(', ')}]`);
  }
  if (other.biases.length !== train.biases.length) {
    throw new DatasetError(other.files.b, `expected ${train.biases.length} bias column(s) like ${train.files.b}, got ${other.biases.length}`);
  }
}

function splitMeta<P>(root: string, split: NpySplitName, arrays: SplitArrays<P>, val: DatasetMeta): DatasetMeta {
  return {
    format: 'npy-folder',
    source: root,
    split,
    files: { x: arrays.files.x, y: arrays.files.y, b: arrays.files.b },
    layout: arrays.layout,
    inputDtype: arrays.inputDtype,
    normalize: { mean: arrays.norm.mean, std: arrays.norm.std },
    biasNames: arrays.biasNames,
    val,
  };
}
