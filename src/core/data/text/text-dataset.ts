/**
 * A tokenised text dataset as a BERT-style model takes it: three int64 [N, L] tensors named as Hugging Face's
 * exporters name the model's inputs (input_ids, attention_mask, token_type_ids), padded to one length L, and
 * per row a target and one label per bias attribute, as in InMemoryDataset.
 */
import type { DatasetMeta } from '../dataset';
import { DatasetError } from '../errors';

export interface TextDataset {
  readonly name: string;
  /** [N, L] token ids, row-major; padded positions hold the tokenizer's pad id. */
  readonly inputIds: BigInt64Array;
  /** [N, L]: 1 for a real token, 0 for padding. */
  readonly attentionMask: BigInt64Array;
  /** [N, L] segment ids (all 0 for single texts; 0 where the data had none, as BERT assumes then). */
  readonly tokenTypeIds: BigInt64Array;
  /** L, the same for every split of one file: its longest tokenised text, capped by maxLength. */
  readonly sequenceLength: number;
  /** Target class of each row, in [0, numClasses). */
  readonly y: Int32Array;
  /** One array per bias attribute; biases[k][i] is in [0, biasClasses[k]). */
  readonly biases: readonly Int32Array[];
  readonly numClasses: number;
  readonly biasClasses: readonly number[];
  readonly meta: DatasetMeta;
}

/** The three model inputs of a text dataset, in one place. */
export interface TokenTensors {
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly tokenTypeIds: BigInt64Array;
  readonly sequenceLength: number;
}

/** Number of rows. */
export function textDatasetSize(dataset: TextDataset): number {
  return dataset.y.length;
}

/** Checks that the arrays agree with each other and that every label and mask value is in range; returns the dataset. */
export function validateTextDataset(dataset: TextDataset): TextDataset {
  const { name, inputIds, attentionMask, tokenTypeIds, sequenceLength, y, biases, numClasses, biasClasses } = dataset;
  if (!Number.isInteger(sequenceLength) || sequenceLength < 1) throw new DatasetError(name, `sequenceLength: expected a positive integer, got ${sequenceLength}`);
  const n = y.length;
  for (const [what, tensor] of [
    ['inputIds', inputIds],
    ['attentionMask', attentionMask],
    ['tokenTypeIds', tokenTypeIds],
  ] as const) {
    if (tensor.length !== n * sequenceLength) {
      throw new DatasetError(name, `${what}: expected ${n}×${sequenceLength} = ${n * sequenceLength} values for ${n} labels, got ${tensor.length}`);
    }
  }
  const badMask = attentionMask.findIndex((v) => v !== 0n && v !== 1n);
  if (badMask >= 0) throw new DatasetError(name, `attentionMask: expected 0 or 1, got ${attentionMask[badMask]} at position ${badMask % sequenceLength}`, Math.floor(badMask / sequenceLength));
  if (biases.length !== biasClasses.length) {
    throw new DatasetError(name, `expected one entry of biasClasses per bias attribute, got ${biases.length} biases and ${biasClasses.length} biasClasses`);
  }
  checkLabels(name, 'y', y, numClasses);
  biases.forEach((bias, k) => {
    if (bias.length !== n) throw new DatasetError(name, `biases[${k}]: expected ${n} labels (one per row), got ${bias.length}`);
    checkLabels(name, `biases[${k}]`, bias, biasClasses[k]);
  });
  return dataset;
}

function checkLabels(name: string, what: string, labels: Int32Array, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) throw new DatasetError(name, `${what}: expected a positive number of classes, got ${classes}`);
  const bad = labels.findIndex((v) => v < 0 || v >= classes);
  if (bad >= 0) throw new DatasetError(name, `${what}: expected a label in [0, ${classes}), got ${labels[bad]}`, bad);
}

/** The rows at `rows` (in that order) of [N, L] token tensors, copied. */
export function pickTokenRows(tensors: TokenTensors, rows: Int32Array): TokenTensors {
  const length = tensors.sequenceLength;
  const take = (source: BigInt64Array): BigInt64Array => {
    const out = new BigInt64Array(rows.length * length);
    rows.forEach((row, i) => out.set(source.subarray(row * length, (row + 1) * length), i * length));
    return out;
  };
  return { inputIds: take(tensors.inputIds), attentionMask: take(tensors.attentionMask), tokenTypeIds: take(tensors.tokenTypeIds), sequenceLength: length };
}


export { pickValues } from '../split-assignment';
