/** The train/val/test split of a digit source shared by the coloured MNIST variants: stratified by class, seeded. */
import { LabelledDigits, selectDigits } from './gray-digits';
import { createRng, deriveSeed } from './random';
import { stratifiedSplit } from './stratified-split';

export interface SplitSizes {
  readonly trainSize?: number;
  readonly valSize?: number;
  readonly testSize?: number;
}

/** 7000/1000/2000 of the 10,000 bundled digits. */
export const DEFAULT_SPLIT_SIZES = { trainSize: 7000, valSize: 1000, testSize: 2000 } as const;

export interface Splits<T> {
  readonly train: T;
  readonly val: T;
  readonly test: T;
}

/** Disjoint, class-stratified train/val/test digits; the same seed gives the same rows. */
export function splitDigits(digits: LabelledDigits, sizes: SplitSizes, seed: number): Splits<LabelledDigits> {
  const { trainSize, valSize, testSize } = { ...DEFAULT_SPLIT_SIZES, ...definedOnly(sizes) };
  const [train, val, test] = stratifiedSplit(digits.labels, 10, [trainSize, valSize, testSize], createRng(deriveSeed(seed, 'split')), digits.source);
  return { train: selectDigits(digits, train), val: selectDigits(digits, val), test: selectDigits(digits, test) };
}

/** Drops keys whose value is undefined, so that they do not override defaults in a spread. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
