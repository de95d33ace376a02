/**
 * SHA-256 over every split's inputs and labels, so a report pins exactly the data it was made with. Image inputs
 * are hashed as the SHA-256 of each normalised sample, in row order, rather than as one stream of floats: a
 * streamed split digests each sample when a batch first normalises it, in whatever order training reads them, so
 * the hash at the end of a run needs no second pass of decoding; in memory the same per-sample digests give the
 * same hash. Token datasets (always in memory) hash their token ids, attention mask and segment ids.
 */
import { createHash } from 'node:crypto';
import { AnyDataset, datasetSize, isStreamed, isTokenDataset, sampleLength } from '../dataset';
import { sampleDigest } from './sample-digest';

export async function datasetsSha256(parts: readonly AnyDataset[]): Promise<string> {
  const h = createHash('sha256');
  for (const part of parts) {
    if (isTokenDataset(part)) {
      for (const tensor of [part.inputIds, part.attentionMask, part.tokenTypeIds]) h.update(bytes(tensor));
    } else if (isStreamed(part)) {
      h.update(await part.samples.sampleDigests());
    } else {
      const length = sampleLength(part.dims);
      for (let i = 0; i < datasetSize(part); i++) h.update(sampleDigest(part.x.subarray(i * length, (i + 1) * length)));
    }
    h.update(bytes(part.y));
    for (const b of part.biases) h.update(bytes(b));
  }
  return h.digest('hex');
}

function bytes(a: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
