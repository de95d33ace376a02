/**
 * The in-memory dataset the engine trains masks on: normalised images in NCHW order (or token ids: text/), a target
 * label and one label per bias attribute for every sample. Helpers here only select and count; they never change the arrays they
 * receive.
 */
import { DatasetError } from './errors';
import { createRng, shuffleInPlace } from './random';
import type { SampleStream } from './streaming/sample-stream';
import type { TokenDataset } from './text/token-feeds';

/** JSON-compatible metadata (so it can travel to the webview and into reports unchanged). */
export type MetaValue = string | number | boolean | null | readonly MetaValue[] | { readonly [key: string]: MetaValue };
export type DatasetMeta = { readonly [key: string]: MetaValue };

/** The labels of any dataset, images or tokens: what group weights, metrics and probes read. */
export interface LabelledRows {
  readonly name: string;
  /** Target class of each sample, in [0, numClasses). */
  readonly y: Int32Array;
  /** One array per bias attribute; biases[k][i] is in [0, biasClasses[k]). */
  readonly biases: readonly Int32Array[];
  readonly numClasses: number;
  /** Number of values of each bias attribute (same length as biases). */
  readonly biasClasses: readonly number[];
  readonly meta: DatasetMeta;
}

/** Everything an image dataset holds in memory whether or not its pixels do: labels are small, images may not be. */
export interface DatasetLabels extends LabelledRows {
  /** [C, H, W] of one sample ([H, W, C], x in that order, once fitted to a channels-last model: jobs/data-fits-model.ts). */
  readonly dims: readonly [number, number, number];
}

export interface InMemoryDataset extends DatasetLabels {
  /** N×C×H×W, already normalised (for the MNIST variants: x/255 → (x − 0.5)/0.5, so in [−1, 1]). */
  readonly x: Float32Array;
}

/** A dataset whose images stay on disk and are read, cached and normalised batch by batch (streaming/). */
export interface StreamedDataset extends DatasetLabels {
  readonly samples: SampleStream;
}

/** An image dataset, what the engine trains and evaluates on; read its batches with streaming/read-batches.ts. */
export type Dataset = InMemoryDataset | StreamedDataset;

/**
 * What mask learning, evaluation and assessment run a model on: images, or tokenised text fitted to a token model's
 * inputs (text/token-feeds.ts). Training weights and a few analyses take images only (`Dataset`).
 */
export type AnyDataset = Dataset | TokenDataset;

export function isStreamed(dataset: AnyDataset): dataset is StreamedDataset {
  return 'samples' in dataset;
}

export function isTokenDataset(dataset: AnyDataset): dataset is TokenDataset {
  return 'feeds' in dataset;
}

/** Number of samples. */
export function datasetSize(dataset: LabelledRows): number {
  return dataset.y.length;
}

/** The shape of one sample: [C, H, W] for images, [L] (of each model input) for token ids. */
export function sampleDims(dataset: AnyDataset): readonly number[] {
  return isTokenDataset(dataset) ? [dataset.sequenceLength] : dataset.dims;
}

/** Values of one sample (C·H·W). */
export function sampleLength(dims: readonly [number, number, number]): number {
  return dims[0] * dims[1] * dims[2];
}

/** Checks that the arrays agree with each other and that every label is in range; returns the dataset. */
export function validateDataset<D extends Dataset>(dataset: D): D {
  const { name, dims, y, biases, numClasses, biasClasses } = dataset;
  if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new DatasetError(name, `dims: expected three positive integers [C, H, W], got [${dims.join(', ')}]`);
  }
  const n = y.length;
  if (isStreamed(dataset)) {
    if (dataset.samples.count !== n) throw new DatasetError(name, `expected one streamed sample per label (${n}), got ${dataset.samples.count}`);
  } else if (dataset.x.length !== n * sampleLength(dims)) {
    throw new DatasetError(name, `x: expected ${n}×${dims.join('×')} = ${n * sampleLength(dims)} values for ${n} labels, got ${dataset.x.length}`);
  }
  if (biases.length !== biasClasses.length) {
    throw new DatasetError(name, `expected one entry of biasClasses per bias attribute, got ${biases.length} biases and ${biasClasses.length} biasClasses`);
  }
  checkLabels(name, 'y', y, numClasses);
  biases.forEach((bias, k) => {
    if (bias.length !== n) throw new DatasetError(name, `biases[${k}]: expected ${n} labels (one per sample), got ${bias.length}`);
    checkLabels(name, `biases[${k}]`, bias, biasClasses[k]);
  });
  return dataset;
}

function checkLabels(name: string, what: string, labels: Int32Array, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) throw new DatasetError(name, `${what}: expected a positive number of classes, got ${classes}`);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v < 0 || v >= classes) throw new DatasetError(name, `${what}: expected a label in [0, ${classes}), got ${v}`, i);
  }
}

/**
 * The samples at `indices` (in that order, repeats allowed), as a new dataset with copied arrays; a streamed
 * dataset gives a view of the same stream (its labels copied).
 */
export function subsetDataset<D extends Dataset>(dataset: D, indices: Int32Array, name = `${dataset.name}[subset]`): D {
  const labels = {
    name,
    dims: dataset.dims,
    numClasses: dataset.numClasses,
    biasClasses: dataset.biasClasses,
    meta: { ...dataset.meta, parent: dataset.name, size: indices.length },
  };
  if (isStreamed(dataset)) {
    const samples = dataset.samples.subset(indices);
    return { ...labels, samples, y: Int32Array.from(indices, (i) => dataset.y[i]), biases: dataset.biases.map((b) => Int32Array.from(indices, (i) => b[i])) } as StreamedDataset as D;
  }
  const batch = gatherBatch(dataset, indices);
  return { ...labels, x: batch.x, y: batch.y, biases: batch.biases } as InMemoryDataset as D;
}

export interface Batch {
  /** Rows of the dataset the batch was taken from. */
  readonly indices: Int32Array;
  /** indices.length×C×H×W, contiguous, ready to feed to a session. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly biases: readonly Int32Array[];
}

/** Copies the samples at `indices` into contiguous arrays. */
export function gatherBatch(dataset: InMemoryDataset, indices: Int32Array): Batch {
  const n = datasetSize(dataset);
  const stride = sampleLength(dataset.dims);
  const x = new Float32Array(indices.length * stride);
  const y = new Int32Array(indices.length);
  const biases = dataset.biases.map(() => new Int32Array(indices.length));
  for (let row = 0; row < indices.length; row++) {
    const i = indices[row];
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new DatasetError(dataset.name, `batch index: expected a row in [0, ${n}), got ${i} at position ${row}`);
    }
    x.set(dataset.x.subarray(i * stride, (i + 1) * stride), row * stride);
    y[row] = dataset.y[i];
    dataset.biases.forEach((bias, k) => {
      biases[k][row] = bias[i];
    });
  }
  return { indices, x, y, biases };
}

export interface BatchOptions {
  readonly batchSize: number;
  /** Shuffle with this seed; without one, rows come in order. Use deriveSeed(seed, 'epoch', e) for a new order each epoch. */
  readonly seed?: number;
  /** Drop the last batch when it is smaller than batchSize (keeps BatchNorm statistics and shapes stable). */
  readonly dropLast?: boolean;
}

/** Splits rows 0 … count−1 (shuffled when a seed is given) into batches of row indices. */
export function batchIndices(count: number, options: BatchOptions): Int32Array[] {
  const { batchSize, seed, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize: expected a positive integer, got ${batchSize}`);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (seed !== undefined) shuffleInPlace(order, createRng(seed));
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(start + batchSize, count);
    if (dropLast && end - start < batchSize) break;
    batches.push(order.slice(start, end));
  }
  return batches;
}

/** The dataset in batches (one epoch); each batch is gathered only when it is reached. */
export function* iterateBatches(dataset: InMemoryDataset, options: BatchOptions): Generator<Batch> {
  for (const indices of batchIndices(datasetSize(dataset), options)) yield gatherBatch(dataset, indices);
}

/** Joint counts of (target, bias) pairs: counts[y·biasClasses + b]. */
export interface GroupCounts {
  readonly numClasses: number;
  readonly biasClasses: number;
  readonly counts: Int32Array;
  readonly total: number;
}

/** Counts samples per group (y, b) from two label arrays. */
export function countGroups(y: Int32Array, b: Int32Array, numClasses: number, biasClasses: number, source = 'labels'): GroupCounts {
  if (b.length !== y.length) throw new DatasetError(source, `expected as many bias labels as targets, got ${b.length} and ${y.length}`);
  const counts = new Int32Array(numClasses * biasClasses);
  for (let i = 0; i < y.length; i++) {
    const target = y[i];
    const bias = b[i];
    if (target < 0 || target >= numClasses || bias < 0 || bias >= biasClasses) {
      throw new DatasetError(source, `expected y in [0, ${numClasses}) and b in [0, ${biasClasses}), got y=${target}, b=${bias}`, i);
    }
    counts[target * biasClasses + bias]++;
  }
  return { numClasses, biasClasses, counts, total: y.length };
}

/** Group counts of one bias attribute of a dataset; p(y, b) = counts[y·biasClasses + b] / total. */
export function groupCounts(dataset: LabelledRows, biasIndex = 0): GroupCounts {
  const bias = dataset.biases[biasIndex];
  const classes = dataset.biasClasses[biasIndex];
  if (bias === undefined || classes === undefined) {
    throw new DatasetError(dataset.name, `bias attribute ${biasIndex}: the dataset has ${dataset.biases.length} bias attribute(s)`);
  }
  return countGroups(dataset.y, bias, dataset.numClasses, classes, dataset.name);
}

/** p(y, b) = count / total, laid out like the counts. */
export function groupFrequencies(groups: GroupCounts): Float64Array {
  return Float64Array.from(groups.counts, (c) => (groups.total > 0 ? c / groups.total : 0));
}
