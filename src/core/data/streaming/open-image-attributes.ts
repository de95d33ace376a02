/** An attribute dataset (attributes/attribute-dataset.ts) read into memory or streamed from disk, as an image CSV is. */
import { Dataset } from '../dataset';
import { Splits } from '../digit-splits';
import { ImageCsvOptions, imageCsvFloatBytes, imageCsvInMemory } from '../image-csv';
import { planImageAttributes } from '../attributes/attribute-dataset';
import { streamImageCsv } from './open-image-csv';
import { StreamChoice, wantsStream } from './stream-choice';

export function openImageAttributes(location: string, options: ImageCsvOptions & StreamChoice = {}): Splits<Dataset> {
  const plan = planImageAttributes(location, options);
  return wantsStream(options, imageCsvFloatBytes(plan)) ? streamImageCsv(plan, options) : imageCsvInMemory(plan);
}
