/**
 * Where Fashion-MNIST comes from: Debian's package dataset-fashion-mnist installs Zalando's gzipped IDX files in
 * /usr/share/datasets/fashion-mnist/. Other copies of the same files can be given instead (--mnist-images and
 * --mnist-labels on the command line).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './errors';
import { LabelledDigits } from './gray-digits';
import { readMnistIdx } from './idx';

/** The folder dataset-fashion-mnist installs into. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** An IDX image file and the label file that goes with it. */
export interface IdxFilePair {
  readonly images: string;
  readonly labels: string;
}

/** The 60,000 training images of Fashion-MNIST in `dir` (t10k-… are the 10,000 test images, not used here). */
export function fashionMnistTrainFiles(dir = DEBIAN_FASHION_MNIST_DIR): IdxFilePair {
  return { images: join(dir, 'train-images-idx3-ubyte.gz'), labels: join(dir, 'train-labels-idx1-ubyte.gz') };
}

/**
 * Reads Fashion-MNIST (intensities in [0, 1], labels 0 … 9: T-shirt/top, trouser, pullover, dress, coat, sandal,
 * shirt, sneaker, bag, ankle boot). A missing file is reported with the path that was expected and how to get it.
 */
export function loadFashionMnist(files: IdxFilePair = fashionMnistTrainFiles()): LabelledDigits {
  for (const file of [files.images, files.labels]) {
    if (!existsSync(file)) {
      throw new DatasetError(
        file,
        'Fashion-MNIST not found: expected this IDX file. Install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), ' +
          'or pass other Fashion-MNIST IDX files with --mnist-images and --mnist-labels',
      );
    }
  }
  return readMnistIdx(files.images, files.labels);
}
