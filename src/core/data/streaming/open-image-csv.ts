/** An image CSV read into memory or streamed from disk (stream-choice.ts decides), with the same splits either way. */
import { Dataset, StreamedDataset, validateDataset } from '../dataset';
import { Splits } from '../digit-splits';
import { ImageCsvOptions, ImageCsvPlan, SplitName, imageCsvFloatBytes, imageCsvInMemory, planImageCsv } from '../image-csv';
import { DecodePoolOptions } from './decode-pool';
import { imageCsvSource } from './image-csv-source';
import { openSampleStream } from './sample-stream';
import { StreamChoice, cacheBytes, wantsStream } from './stream-choice';

export function openImageCsv(csvPath: string, options: ImageCsvOptions & StreamChoice = {}): Splits<Dataset> {
  const plan = planImageCsv(csvPath, options);
  return wantsStream(options, imageCsvFloatBytes(plan)) ? streamImageCsv(plan, options) : imageCsvInMemory(plan);
}

/** The splits as views of one stream over the CSV's rows: one cache, one pool of decoding workers. */
export function streamImageCsv(plan: ImageCsvPlan, choice: StreamChoice & Pick<DecodePoolOptions, 'niceness'> = {}): Splits<StreamedDataset> {
  const stream = openSampleStream(imageCsvSource(plan, { workers: choice.workers, niceness: choice.niceness }), cacheBytes(choice));
  const build = (split: SplitName): StreamedDataset => validateDataset({ ...plan.labels(split), samples: stream.subset(plan.rows[split]) });
  return { train: build('train'), val: build('val'), test: build('test') };
}
