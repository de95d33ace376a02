/** A .npy folder read into memory or streamed from disk (stream-choice.ts decides), with the same splits either way. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Dataset, StreamedDataset } from '../dataset';
import { Splits } from '../digit-splits';
import { NpyFolderOptions, NpyPixelReader, buildNpyFolder, npySplitFiles, readNpyFolder } from '../npy-folder';
import { npySource, readNpyLayout } from './npy-source';
import { SampleStream, openSampleStream } from './sample-stream';
import { StreamChoice, cacheBytes, wantsStream } from './stream-choice';

export function openNpyFolder(dir: string, options: NpyFolderOptions & StreamChoice = {}): Splits<Dataset> {
  const files = imageFiles(dir);
  const floatBytes = files.reduce((sum, f) => sum + 4 * f.elements, 0);
  return wantsStream(options, floatBytes) ? streamNpyFolder(dir, options) : readNpyFolder(dir, options);
}

/** Each x file is one stream; the cache budget is shared among them by their sizes. */
export function streamNpyFolder(dir: string, options: NpyFolderOptions & StreamChoice = {}): Splits<StreamedDataset> {
  const files = imageFiles(dir);
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const budget = cacheBytes(options);
  const reader: NpyPixelReader<SampleStream> = {
    open(file) {
      const layout = readNpyLayout(file);
      const share = Math.floor((budget * layout.fileBytes) / Math.max(1, total));
      return { dtype: layout.dtype.name, shape: layout.shape, pixels: (shape, norm) => openSampleStream(npySource(file, layout, shape, norm), share) };
    },
  };
  return buildNpyFolder(dir, options, reader, (labels, samples) => ({ ...labels, samples }));
}

/** The x files present, their sizes and element counts (read from their headers); missing ones are left to the reader's errors. */
function imageFiles(dir: string): { bytes: number; elements: number }[] {
  const root = resolve(dir);
  return (['train', 'val', 'test'] as const)
    .map((split) => npySplitFiles(root, split).x)
    .filter((file) => existsSync(file) && statSync(file).isFile())
    .map((file) => {
      const layout = readNpyLayout(file);
      return { bytes: layout.fileBytes, elements: layout.count };
    });
}
