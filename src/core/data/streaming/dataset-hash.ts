/**
 * SHA-256 over every split's normalised inputs (or token ids, attention mask and segment ids), then its labels, so a report pins exactly the data it was made
 * with. A streamed split is hashed batch by batch in row order: the same bytes, so the same hash, as in memory.
 */
import { createHash } from 'node:crypto';
import { AnyDataset, batchIndices, datasetSize, isStreamed, isTokenDataset } from '../dataset';
import { readBatches } from './read-batches';

const HASH_BATCH = 256;

export async function datasetsSha256(parts: readonly AnyDataset[]): Promise<string> {
  const h = createHash('sha256');
  const bytes = (a: Float32Array | Int32Array | BigInt64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const part of parts) {
    if (isTokenDataset(part)) {
      for (const tensor of [part.inputIds, part.attentionMask, part.tokenTypeIds]) h.update(bytes(tensor));
    } else if (isStreamed(part)) {
      for await (const [, batch] of readBatches(part, batchIndices(datasetSize(part), { batchSize: HASH_BATCH }))) h.update(bytes(batch.x));
    } else {
      h.update(bytes(part.x));
    }
    h.update(bytes(part.y));
    for (const b of part.biases) h.update(bytes(b));
  }
  return h.digest('hex');
}
