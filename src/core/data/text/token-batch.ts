/**
 * Encoded texts as the three int64 [N, L] tensors a BERT-style model takes, as `padding='longest'` builds them:
 * L is the longest sequence (each already cut to maxLength), shorter ones are filled with the pad id, mask 0 and
 * the pad segment id on the padding side.
 */
import { DatasetError } from '../errors';
import type { TokenTensors } from './text-dataset';
import type { EncodedText, PaddingSide } from './text-tokenizer';

export interface Padding {
  readonly padId: number;
  readonly padTypeId: number;
  readonly side: PaddingSide;
}

/** 1 GiB per int64 tensor; past that, a missing maxLength is likelier than a real request. */
export const MAX_TOKEN_VALUES = 2 ** 27;

/** Pads `texts` to their longest length. `source` names the data in errors. */
export function padTokenBatch(texts: readonly EncodedText[], padding: Padding, source: string): TokenTensors {
  const length = texts.reduce((longest, t) => Math.max(longest, t.ids.length), 0);
  if (length === 0) throw new DatasetError(source, 'every text is empty after tokenisation and the tokenizer adds no special tokens: nothing to feed the model');
  if (texts.length * length > MAX_TOKEN_VALUES) {
    throw new DatasetError(source, `${texts.length} texts of up to ${length} tokens would need ${texts.length * length} values per tensor, more than the limit of ${MAX_TOKEN_VALUES}: expected a smaller maxLength`);
  }
  const inputIds = new BigInt64Array(texts.length * length).fill(BigInt(padding.padId));
  const attentionMask = new BigInt64Array(texts.length * length);
  const tokenTypeIds = new BigInt64Array(texts.length * length).fill(BigInt(padding.padTypeId));
  texts.forEach(({ ids, typeIds }, row) => {
    const start = row * length + (padding.side === 'left' ? length - ids.length : 0);
    ids.forEach((id, i) => {
      inputIds[start + i] = BigInt(id);
      attentionMask[start + i] = 1n;
      tokenTypeIds[start + i] = BigInt(typeIds[i] ?? 0);
    });
  });
  return { inputIds, attentionMask, tokenTypeIds, sequenceLength: length };
}
