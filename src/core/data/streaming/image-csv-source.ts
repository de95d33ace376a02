/**
 * The images of a CSV dataset as a sample source: decoded, resized to the model's size, normalised and digested
 * in worker threads (prepare-image.ts, with the very functions the in-memory reader uses, so both give the same
 * floats and the same data hash to the bit), cached in the smallest exact form: a shrunk image as its normalised
 * floats, which the step's thread only copies into the batch; one at the model's size as its 8-bit RGB, turned into
 * floats there in one pass (prepare-image.ts: preparedWriter); an enlarged one as its own 8-bit RGB, resized there.
 */
import { ImageCsvPlan } from '../image-csv';
import { DecodePool, DecodePoolOptions } from './decode-pool';
import { PreparedImage, SampleTarget, preparedBytes, preparedWriter } from './prepare-image';
import { SampleSource } from './sample-stream';

export function imageCsvSource(plan: ImageCsvPlan, options: DecodePoolOptions = {}): SampleSource<PreparedImage> {
  const pool = new DecodePool(options);
  const { dims, norm } = plan;
  const target: SampleTarget = { dims, norm };
  const write = preparedWriter(target);
  return {
    name: plan.file,
    count: plan.rowCount,
    dims,
    load: (samples) => pool.decode(samples.map((row) => plan.imageAt(row)), target),
    sizeOf: preparedBytes,
    normalise: (raw, _sample, out, offset) => write(raw, out, offset),
    digestOf: (raw) => raw.digest,
    cancelQueued: () => pool.cancelQueued(),
    pace: (count, heldMs, waitedMs) => pool.pace(count, heldMs, waitedMs),
    decoders: () => ({ workers: pool.workerTarget, imagesPerWorkerSecond: pool.imagesPerWorkerSecond }),
    close: () => pool.close(),
  };
}
