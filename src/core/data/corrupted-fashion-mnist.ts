/**
 * Corrupted Fashion-MNIST: a CPU-sized stand-in for Corrupted CIFAR-10 (BISE.md), where the bias attribute is the
 * corruption an image went through. Each grey 28×28 image is enlarged to 32×32 (bilinear), corrupted by one of the
 * ten corruptions of corruptions.ts, and replicated into 3 channels normalised with mean = std = 0.5 (so in
 * [−1, 1]), the input shape of a CIFAR ResNet-18. The corruption is applied after the enlargement so that noise
 * grains, pixelation tiles and JPEG's 8×8 blocks land on the model's own pixel grid, as in CIFAR-10-C.
 *
 * Which corruption an image gets follows the ReBias rule of BiasedMNIST (colour-assignment.ts): per class k, a
 * fraction ρ gets corruption k, the rest the other nine in equal shares. Bias label b = corruption index, so
 * "aligned" means b = y.
 */
import { assignCorrelatedColours } from './colour-assignment';
import { CORRUPTIONS, CORRUPTION_NAMES } from './corruptions';
import { InMemoryDataset, validateDataset } from './dataset';
import { Splits, splitDigits } from './digit-splits';
import { DatasetError } from './errors';
import { fashionMnistTrainFiles, loadFashionMnist } from './fashion-mnist-files';
import { GrayImages, LabelledDigits } from './gray-digits';
import { resizeBilinear } from './bilinear-resize';
import { DEFAULT_NORMALIZE, resolveNormalisation } from './pixel-normalisation';
import { createRng, deriveSeed } from './random';

const NUM_CLASSES = 10;

/** Side of the output images: CIFAR's. */
export const CORRUPTED_IMAGE_SIZE = 32;

/** 10,000 / 1,000 / 2,000: about CIFAR-10-sized per class at a tenth of the samples, so a ResNet-18 run fits a CPU. */
export const CORRUPTED_FASHION_MNIST_SIZES = { trainSize: 10000, valSize: 1000, testSize: 2000 } as const;

/** Corrupts every image, corruption correlated with `labels` at rate rho; one bias attribute (the corruption). */
export function corruptImages(images: GrayImages, labels: Int32Array, rho: number, seed: number, name = `corrupted-fashion-mnist(rho=${rho})`): InMemoryDataset {
  if (CORRUPTIONS.length !== NUM_CLASSES) throw new DatasetError(name, `expected one corruption per class (${NUM_CLASSES}), got ${CORRUPTIONS.length}`);
  if (labels.length !== images.count) throw new DatasetError(name, `expected ${images.count} labels (one per image), got ${labels.length}`);
  const corruption = assignCorrelatedColours(labels, NUM_CLASSES, rho, createRng(deriveSeed(seed, 'assign')), name);
  const side = CORRUPTED_IMAGE_SIZE;
  const plane = side * side;
  const { mean, std } = resolveNormalisation(DEFAULT_NORMALIZE, 3, name);
  const area = images.height * images.width;
  const x = new Float32Array(images.count * 3 * plane);
  for (let n = 0; n < images.count; n++) {
    const grey = images.pixels.subarray(n * area, (n + 1) * area);
    const enlarged = resizeBilinear({ data: grey, channels: 1, height: images.height, width: images.width }, side, side);
    // One sub-stream per image: an image's noise does not depend on which corruptions the images before it got.
    const corrupted = CORRUPTIONS[corruption[n]].apply(enlarged, side, side, createRng(deriveSeed(seed, 'noise', n)));
    for (let c = 0; c < 3; c++) {
      const offset = (n * 3 + c) * plane;
      for (let p = 0; p < plane; p++) x[offset + p] = (corrupted[p] - mean[c]) / std[c];
    }
  }
  return validateDataset({
    name,
    x,
    dims: [3, side, side],
    y: Int32Array.from(labels),
    biases: [corruption],
    numClasses: NUM_CLASSES,
    biasClasses: [NUM_CLASSES],
    meta: { protocol: 'CorruptedFashionMNIST', rho, seed, biasNames: ['corruption'], corruptions: [...CORRUPTION_NAMES] },
  });
}

export interface CorruptedFashionMnistSplitOptions {
  /** Alignment rate of the training set (Corrupted CIFAR-10 in the literature: 0.95 … 0.995). */
  readonly rho: number;
  readonly seed: number;
  /** Alignment rate of val and test; 0.1 = 1/K, i.e. corruption independent of class. */
  readonly evalRho?: number;
  readonly trainSize?: number;
  readonly valSize?: number;
  readonly testSize?: number;
  /** Defaults to Debian's Fashion-MNIST training images (fashion-mnist-files.ts); any grey 28×28 images with labels 0 … 9 work. */
  readonly source?: LabelledDigits;
}

/** Stratified, disjoint train/val/test splits of the source images, train corrupted at rho, val and test at evalRho. */
export function corruptedFashionMnistSplits(options: CorruptedFashionMnistSplitOptions): Splits<InMemoryDataset> {
  const { rho, seed, evalRho = 0.1 } = options;
  const sizes = {
    trainSize: options.trainSize ?? CORRUPTED_FASHION_MNIST_SIZES.trainSize,
    valSize: options.valSize ?? CORRUPTED_FASHION_MNIST_SIZES.valSize,
    testSize: options.testSize ?? CORRUPTED_FASHION_MNIST_SIZES.testSize,
  };
  const source = options.source ?? loadFashionMnist(fashionMnistTrainFiles());
  const parts = splitDigits(source, sizes, seed);
  const build = (part: keyof Splits<unknown>, partRho: number): InMemoryDataset => {
    const images = parts[part];
    const dataset = corruptImages(images, images.labels, partRho, deriveSeed(seed, 'corruption', part), `corrupted-fashion-mnist(rho=${rho})/${part}`);
    return { ...dataset, meta: { ...dataset.meta, split: part, seed, corruptionSeed: dataset.meta.seed, source: source.source } };
  };
  return { train: build('train', rho), val: build('val', evalRho), test: build('test', evalRho) };
}
