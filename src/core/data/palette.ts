/** The BiasedMNIST background palette (ReBias protocol, BISE.md): RGB 0…255, colour k belongs to class k. */
export type Rgb = readonly [number, number, number];

export const BIASED_MNIST_PALETTE: readonly Rgb[] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [225, 225, 0],
  [225, 0, 225],
  [0, 255, 255],
  [255, 128, 0],
  [255, 0, 128],
  [128, 0, 255],
  [128, 128, 128],
];

/** Digit strokes are painted white. */
export const DIGIT_COLOUR: Rgb = [255, 255, 255];

/** Mean and std of the normalisation x/255 → (x/255 − mean)/std, the same for every channel. */
export const NORMALISATION_MEAN = 0.5;
export const NORMALISATION_STD = 0.5;

/** A 0…255 channel value after normalisation. */
export function normaliseChannel(value: number): number {
  return (value / 255 - NORMALISATION_MEAN) / NORMALISATION_STD;
}
