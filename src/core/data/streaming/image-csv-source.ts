/**
 * The images of a CSV dataset as a sample source: decoded in worker threads, cached as the decoder's 8-bit RGB
 * at the image's own size, then converted, resized and normalised per batch with the very functions the
 * in-memory reader uses, so both give the same floats to the bit. (Caching 8-bit pixels after resizing would
 * round what the in-memory reader keeps as floats.)
 */
import { resizeBilinear } from '../bilinear-resize';
import { ImageCsvPlan } from '../image-csv';
import { ImageChannels, rgbaToPlanes } from '../image-planes';
import { normalisePixels } from '../pixel-normalisation';
import { DecodePool, DecodePoolOptions } from './decode-pool';
import { DecodedPixels } from './decode-messages';
import { SampleSource } from './sample-stream';

export function imageCsvSource(plan: ImageCsvPlan, options: DecodePoolOptions = {}): SampleSource<DecodedPixels> {
  const pool = new DecodePool(options);
  const { dims, norm } = plan;
  const [channels, height, width] = dims;
  return {
    name: plan.file,
    count: plan.rowCount,
    dims,
    load: (samples) => pool.decode(samples.map((row) => plan.imageAt(row))),
    sizeOf: (raw) => raw.rgb.byteLength,
    normalise(raw, _sample, out, offset) {
      const planes = rgbaToPlanes(raw.rgb, raw.width, raw.height, channels as ImageChannels, 3);
      const resized = resizeBilinear({ data: planes, channels, height: raw.height, width: raw.width }, height, width);
      normalisePixels({ values: resized, layout: 'NCHW', count: 1, dims, divisor: 1 }, norm, out, offset);
    },
    cancelQueued: () => pool.cancelQueued(),
    pace: (count, heldMs, waitedMs) => pool.pace(count, heldMs, waitedMs),
    decoders: () => ({ workers: pool.workerTarget, imagesPerWorkerSecond: pool.imagesPerWorkerSecond }),
    close: () => pool.close(),
  };
}
