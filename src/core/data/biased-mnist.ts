/**
 * BiasedMNIST (ReBias protocol, BISE.md "Datasets in the paper"): each digit's background is painted with a
 * palette colour that equals its class colour for a fraction ρ of each class; digit strokes are white. The bias
 * label is the colour index, so bias classes = target classes = 10 and "aligned" means b = y.
 */
import { assignCorrelatedColours } from './colour-assignment';
import { paintBackgrounds } from './colour-painting';
import { InMemoryDataset, validateDataset } from './dataset';
import { Splits, SplitSizes, splitDigits } from './digit-splits';
import { GrayImages, LabelledDigits } from './gray-digits';
import { loadBundledDigits } from './mnist-digits';
import { BIASED_MNIST_PALETTE } from './palette';
import { createRng, deriveSeed } from './random';

const NUM_CLASSES = 10;

/** Colours the digits' backgrounds, correlated with `labels` at rate rho; one bias attribute (the colour). */
export function colourise(digits: GrayImages, labels: Int32Array, rho: number, seed: number, name = `biased-mnist(rho=${rho})`): InMemoryDataset {
  const colours = assignCorrelatedColours(labels, NUM_CLASSES, rho, createRng(seed), name);
  const x = paintBackgrounds(digits, [{ fromColumn: 0, toColumn: digits.width, colours }], BIASED_MNIST_PALETTE, name);
  return validateDataset({
    name,
    x,
    dims: [3, digits.height, digits.width],
    y: Int32Array.from(labels),
    biases: [colours],
    numClasses: NUM_CLASSES,
    biasClasses: [NUM_CLASSES],
    meta: { protocol: 'BiasedMNIST', rho, seed, biasNames: ['background colour'], palette: BIASED_MNIST_PALETTE },
  });
}

export interface BiasedMnistSplitOptions extends SplitSizes {
  /** Alignment rate of the training set (the paper: 0.99, 0.995, 0.997, 0.999). */
  readonly rho: number;
  readonly seed: number;
  /** Alignment rate of val and test; 0.1 = 1/K, i.e. colour independent of class. */
  readonly evalRho?: number;
  /** Defaults to the 10,000 digits bundled with the `mnist` package. */
  readonly source?: LabelledDigits;
}

/** Stratified train/val/test splits of the source digits, train coloured at rho, val and test at evalRho. */
export function biasedMnistSplits(options: BiasedMnistSplitOptions): Splits<InMemoryDataset> {
  const { rho, seed, evalRho = 0.1 } = options;
  const source = options.source ?? loadBundledDigits();
  const parts = splitDigits(source, { trainSize: options.trainSize, valSize: options.valSize, testSize: options.testSize }, seed);
  const build = (part: keyof Splits<unknown>, partRho: number): InMemoryDataset => {
    const digits = parts[part];
    const dataset = colourise(digits, digits.labels, partRho, deriveSeed(seed, 'colour', part), `biased-mnist(rho=${rho})/${part}`);
    return { ...dataset, meta: { ...dataset.meta, split: part, seed, colourSeed: dataset.meta.seed, source: source.source } };
  };
  return { train: build('train', rho), val: build('val', evalRho), test: build('test', evalRho) };
}
