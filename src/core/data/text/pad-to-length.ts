/**
 * Widens a tokenised dataset to a longer sequence length, as `padding='max_length'` would have built it: for a model
 * exported with its sequence length fixed (only the batch dynamic), whose inputs take exactly that many tokens.
 * The added positions get the data's own padding (its pad id and pad segment id, on its padding side), mask 0, so
 * that a model that honours its attention mask reads the same texts.
 */
import type { DatasetMeta } from '../dataset';
import type { TextDataset } from './text-dataset';
import type { PaddingSide } from './text-tokenizer';

export interface PadValues {
  readonly padId: bigint;
  readonly padTypeId: bigint;
  readonly side: PaddingSide;
}

/**
 * The padding the data already uses: the ids at its first masked position, the side it pads on; where no row is
 * padded, the pad id and side its tokenizer recorded in the metadata, else id 0 (BERT's [PAD]) on the right.
 */
export function padValuesOf(dataset: TextDataset): PadValues {
  const { attentionMask, inputIds, tokenTypeIds, sequenceLength: length, meta } = dataset;
  const masked = attentionMask.indexOf(0n);
  if (masked < 0) return { padId: BigInt(typeof meta.padId === 'number' ? meta.padId : 0), padTypeId: 0n, side: meta.paddingSide === 'left' ? 'left' : 'right' };
  // The first padded row ends with a real token when it pads on the left.
  const rowEnd = (Math.floor(masked / length) + 1) * length;
  const side: PaddingSide = attentionMask[rowEnd - 1] === 1n ? 'left' : 'right';
  return { padId: inputIds[masked], padTypeId: tokenTypeIds[masked], side };
}

/** `dataset` with every row padded to `length` tokens (≥ its own); unchanged when it is that long already. */
export function padToLength(dataset: TextDataset, length: number, pad: PadValues = padValuesOf(dataset)): TextDataset {
  const from = dataset.sequenceLength;
  if (!Number.isInteger(length) || length < from) throw new Error(`cannot pad texts of ${from} tokens to ${length}: expected a length of at least ${from}`);
  if (length === from) return dataset;
  const rows = dataset.y.length;
  const offset = pad.side === 'left' ? length - from : 0;
  const widen = (source: BigInt64Array, fill: bigint): BigInt64Array => {
    const out = new BigInt64Array(rows * length).fill(fill);
    for (let r = 0; r < rows; r++) out.set(source.subarray(r * from, (r + 1) * from), r * length + offset);
    return out;
  };
  const meta: DatasetMeta = { ...dataset.meta, sequenceLength: length, paddedFrom: from };
  return {
    ...dataset,
    inputIds: widen(dataset.inputIds, pad.padId),
    attentionMask: widen(dataset.attentionMask, 0n),
    tokenTypeIds: widen(dataset.tokenTypeIds, pad.padTypeId),
    sequenceLength: length,
    meta,
  };
}
