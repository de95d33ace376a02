/**
 * Multi-Color MNIST (BISE.md): the background is split into a left half (columns 0 … W/2−1) and a right half
 * (W/2 … W−1), each painted with its own palette colour correlated with the class at its own rate (ρ_L, ρ_R),
 * by the same chunking rule as BiasedMNIST but with independent shuffles. Two bias attributes: left colour,
 * right colour. Both sides use the BiasedMNIST palette.
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

/** Colours the left and right background halves independently; biases[0] = left colour, biases[1] = right colour. */
export function colouriseMultiColor(
  digits: GrayImages,
  labels: Int32Array,
  rhoLeft: number,
  rhoRight: number,
  seed: number,
  name = `multi-color-mnist(rhoL=${rhoLeft},rhoR=${rhoRight})`,
): InMemoryDataset {
  // Separate sub-streams, so that each side's shuffles do not depend on the other side's ρ.
  const left = assignCorrelatedColours(labels, NUM_CLASSES, rhoLeft, createRng(deriveSeed(seed, 'left')), name);
  const right = assignCorrelatedColours(labels, NUM_CLASSES, rhoRight, createRng(deriveSeed(seed, 'right')), name);
  const half = Math.floor(digits.width / 2);
  const x = paintBackgrounds(
    digits,
    [
      { fromColumn: 0, toColumn: half, colours: left },
      { fromColumn: half, toColumn: digits.width, colours: right },
    ],
    BIASED_MNIST_PALETTE,
    name,
  );
  return validateDataset({
    name,
    x,
    dims: [3, digits.height, digits.width],
    y: Int32Array.from(labels),
    biases: [left, right],
    numClasses: NUM_CLASSES,
    biasClasses: [NUM_CLASSES, NUM_CLASSES],
    meta: { protocol: 'MultiColorMNIST', rhoLeft, rhoRight, seed, biasNames: ['left background colour', 'right background colour'], palette: BIASED_MNIST_PALETTE },
  });
}

export interface MultiColorMnistSplitOptions extends SplitSizes {
  /** Training alignment rate of the left half (the paper: 0.99). */
  readonly rhoLeft?: number;
  /** Training alignment rate of the right half (the paper: 0.95). */
  readonly rhoRight?: number;
  readonly seed: number;
  /** Alignment rate of both halves in val and test (the paper: 0.1). */
  readonly evalRho?: number;
  /** Defaults to the 10,000 digits bundled with the `mnist` package. */
  readonly source?: LabelledDigits;
}

/** Stratified train/val/test splits: train at (rhoLeft, rhoRight), val and test at evalRho on both sides. */
export function multiColorMnistSplits(options: MultiColorMnistSplitOptions): Splits<InMemoryDataset> {
  const { rhoLeft = 0.99, rhoRight = 0.95, seed, evalRho = 0.1 } = options;
  const source = options.source ?? loadBundledDigits();
  const parts = splitDigits(source, { trainSize: options.trainSize, valSize: options.valSize, testSize: options.testSize }, seed);
  const build = (part: keyof Splits<unknown>, left: number, right: number): InMemoryDataset => {
    const digits = parts[part];
    const name = `multi-color-mnist(rhoL=${rhoLeft},rhoR=${rhoRight})/${part}`;
    const dataset = colouriseMultiColor(digits, digits.labels, left, right, deriveSeed(seed, 'colour', part), name);
    return { ...dataset, meta: { ...dataset.meta, split: part, seed, colourSeed: dataset.meta.seed, source: source.source } };
  };
  return { train: build('train', rhoLeft, rhoRight), val: build('val', evalRho, evalRho), test: build('test', evalRho, evalRho) };
}
