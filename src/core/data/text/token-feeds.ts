/**
 * A text dataset fitted to a token model (jobs/token-data-fits-model.ts): which of the model's inputs takes which
 * of the dataset's token tensors, in which element type; and its batches as those inputs, by name, ready for
 * GateGradientRunner.forwardInputs and InferenceSession.runInputs.
 */
import type { InputValues } from '../../graphs/model-inputs';
import { DatasetError } from '../errors';
import type { TextDataset, TokenTensors } from './text-dataset';
import { AnyDataset, isTokenDataset } from '../dataset';

/** The token tensors a text dataset holds (TokenTensors' fields). */
export type TokenRole = 'inputIds' | 'attentionMask' | 'tokenTypeIds';

/** One model input and the token tensor it is fed. */
export interface TokenFeed {
  /** The model's name for the input (as the exporter named it). */
  readonly name: string;
  readonly role: TokenRole;
  readonly dtype: 'int64' | 'int32';
}

/** A text dataset whose batches are fed to a model's inputs by name. */
export interface TokenDataset extends TextDataset {
  readonly feeds: readonly TokenFeed[];
}

/** A batch of a token dataset: every model input by name, [rows, sequenceLength] each. */
export interface TokenBatch {
  /** Rows of the dataset the batch was taken from. */
  readonly indices: Int32Array;
  readonly inputs: readonly InputValues[];
  readonly y: Int32Array;
  readonly biases: readonly Int32Array[];
}

/** Copies the rows at `indices` into one model input per feed. */
export function gatherTokenBatch(dataset: TokenDataset, indices: Int32Array): TokenBatch {
  const n = dataset.y.length;
  const bad = indices.findIndex((i) => !Number.isInteger(i) || i < 0 || i >= n);
  if (bad >= 0) throw new DatasetError(dataset.name, `batch index: expected a row in [0, ${n}), got ${indices[bad]} at position ${bad}`);
  const length = dataset.sequenceLength;
  const dims = [indices.length, length];
  const inputs = dataset.feeds.map((feed): InputValues => {
    const rows = pickRows(dataset[feed.role], indices, length);
    return { name: feed.name, dtype: feed.dtype, dims, data: feed.dtype === 'int64' ? rows : Int32Array.from(rows, Number) };
  });
  return { indices, inputs, y: Int32Array.from(indices, (i) => dataset.y[i]), biases: dataset.biases.map((b) => Int32Array.from(indices, (i) => b[i])) };
}

/** The batch's inputs keyed by name (what GateGradientRunner.forwardInputs takes). */
export function inputsByName(batch: TokenBatch): Record<string, InputValues['data']> {
  return Object.fromEntries(batch.inputs.map((v) => [v.name, v.data]));
}

function pickRows(source: TokenTensors[TokenRole], indices: Int32Array, length: number): BigInt64Array {
  const out = new BigInt64Array(indices.length * length);
  indices.forEach((row, i) => out.set(source.subarray(row * length, (row + 1) * length), i * length));
  return out;
}

/** The model input that takes the attention mask, when the data is tokens and the model takes one. */
export function attentionMaskInput(dataset: AnyDataset): string | undefined {
  return isTokenDataset(dataset) ? dataset.feeds.find((f) => f.role === 'attentionMask')?.name : undefined;
}
