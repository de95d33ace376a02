/**
 * The ten image corruptions of Corrupted Fashion-MNIST, in the spirit of Hendrycks & Dietterich's ImageNet-C /
 * CIFAR-10-C (the corruptions behind Corrupted CIFAR-10), each at one fixed severity chosen to be plainly visible
 * on a 32×32 grey image with a black background. Corruption k is the bias-aligned corruption of class k.
 *
 * Every corruption takes a grey plane of intensities in [0, 1], never changes it, and returns a new plane in
 * [0, 1]; the random ones draw only from the generator they are given, so a seed fixes the result.
 */
import { resizeBilinear } from './bilinear-resize';
import { jpegRoundTrip } from './jpeg-quantisation';
import { Rng } from './random';
import { boxKernel, convolveSeparable, gaussianKernel } from './separable-filter';

export interface Corruption {
  /** A short identifier, e.g. 'gaussian-noise'. */
  readonly name: string;
  /** One line: what it does and at which severity. */
  readonly description: string;
  apply(plane: Float32Array, height: number, width: number, rng: Rng): Float32Array;
}

/** Fixed severities; the descriptions below and docs/datasets.md quote them. */
export const SEVERITY = {
  brightnessShift: 0.4,
  contrastFactor: 0.3,
  gaussianNoiseStd: 0.15,
  shotNoisePhotons: 8,
  impulseFraction: 0.1,
  gaussianBlurSigma: 1.2,
  motionBlurLength: 9,
  fogGridCells: 4,
  fogOpacity: 0.5,
  pixelateBlock: 4,
  jpegQuality: 8,
} as const;

export const CORRUPTIONS: readonly Corruption[] = [
  {
    name: 'brightness',
    description: `adds ${SEVERITY.brightnessShift} to every pixel (the black background turns grey, bright parts saturate)`,
    apply: (plane) => map(plane, (v) => v + SEVERITY.brightnessShift),
  },
  {
    name: 'contrast',
    description: `scales each pixel's distance from the image mean by ${SEVERITY.contrastFactor} (a washed-out, low-contrast image)`,
    apply: (plane) => {
      const mean = plane.reduce((a, b) => a + b, 0) / plane.length;
      return map(plane, (v) => mean + (v - mean) * SEVERITY.contrastFactor);
    },
  },
  {
    name: 'gaussian-noise',
    description: `adds independent Gaussian noise of standard deviation ${SEVERITY.gaussianNoiseStd} to every pixel`,
    apply: (plane, _h, _w, rng) => map(plane, (v) => v + SEVERITY.gaussianNoiseStd * rng.nextNormal()),
  },
  {
    name: 'shot-noise',
    description: `photon (Poisson) noise: each pixel becomes Poisson(${SEVERITY.shotNoisePhotons}·v)/${SEVERITY.shotNoisePhotons}, grainy where the garment is bright, black stays black`,
    apply: (plane, _h, _w, rng) => map(plane, (v) => poisson(v * SEVERITY.shotNoisePhotons, rng) / SEVERITY.shotNoisePhotons),
  },
  {
    name: 'impulse-noise',
    description: `salt-and-pepper: ${100 * SEVERITY.impulseFraction}% of the pixels, chosen at random, set to 0 or 1 with equal odds`,
    apply: (plane, _h, _w, rng) => map(plane, (v) => (rng.nextFloat() < SEVERITY.impulseFraction ? (rng.nextFloat() < 0.5 ? 0 : 1) : v)),
  },
  {
    name: 'gaussian-blur',
    description: `Gaussian blur of standard deviation ${SEVERITY.gaussianBlurSigma} pixels`,
    apply: (plane, h, w) => {
      const kernel = gaussianKernel(SEVERITY.gaussianBlurSigma);
      return clampAll(convolveSeparable(plane, h, w, kernel, kernel));
    },
  },
  {
    name: 'motion-blur',
    description: `horizontal motion blur: the mean of ${SEVERITY.motionBlurLength} pixels along each row (streaks sideways, sharp vertically)`,
    apply: (plane, h, w) => clampAll(convolveSeparable(plane, h, w, boxKernel(SEVERITY.motionBlurLength), [1])),
  },
  {
    name: 'fog',
    description: `haze: a smooth random field (uniform values on a ${SEVERITY.fogGridCells}×${SEVERITY.fogGridCells} grid, bilinearly enlarged) blended in at opacity ${SEVERITY.fogOpacity}`,
    apply: (plane, h, w, rng) => {
      const cells = SEVERITY.fogGridCells;
      const grid = Float32Array.from({ length: cells * cells }, () => rng.nextFloat());
      const haze = resizeBilinear({ data: grid, channels: 1, height: cells, width: cells }, h, w);
      return clampAll(plane.map((v, i) => (1 - SEVERITY.fogOpacity) * v + SEVERITY.fogOpacity * haze[i]));
    },
  },
  {
    name: 'pixelate',
    description: `replaces each ${SEVERITY.pixelateBlock}×${SEVERITY.pixelateBlock} block by its mean (a mosaic at a quarter of the resolution)`,
    apply: (plane, h, w) => pixelate(plane, h, w, SEVERITY.pixelateBlock),
  },
  {
    name: 'jpeg',
    description: `JPEG-like compression at quality ${SEVERITY.jpegQuality}: 8×8 DCT blocks quantised with the scaled JPEG luminance table (blocky, ringing)`,
    apply: (plane, h, w) => jpegRoundTrip(plane, h, w, SEVERITY.jpegQuality),
  },
];

/** The names, in bias-label order. */
export const CORRUPTION_NAMES: readonly string[] = CORRUPTIONS.map((c) => c.name);

/** Applies `f` to every pixel and clamps the result to [0, 1]; new array. */
function map(plane: Float32Array, f: (v: number) => number): Float32Array {
  const out = new Float32Array(plane.length);
  for (let i = 0; i < plane.length; i++) out[i] = clamp01(f(plane[i]));
  return out;
}

function clampAll(plane: Float32Array): Float32Array {
  for (let i = 0; i < plane.length; i++) plane[i] = clamp01(plane[i]);
  return plane;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** A Poisson sample of mean `mean` (Knuth's multiplication method: fine for the small means used here). */
function poisson(mean: number, rng: Rng): number {
  const limit = Math.exp(-mean);
  let count = 0;
  let product = rng.nextFloat();
  while (product > limit) {
    count++;
    product *= rng.nextFloat();
  }
  return count;
}

/** Each block × block tile (partial at the right and bottom edges) replaced by its mean. */
function pixelate(plane: Float32Array, height: number, width: number, block: number): Float32Array {
  const out = new Float32Array(plane.length);
  for (let top = 0; top < height; top += block) {
    for (let left = 0; left < width; left += block) {
      const bottom = Math.min(top + block, height);
      const right = Math.min(left + block, width);
      let sum = 0;
      for (let y = top; y < bottom; y++) for (let x = left; x < right; x++) sum += plane[y * width + x];
      const mean = sum / ((bottom - top) * (right - left));
      for (let y = top; y < bottom; y++) for (let x = left; x < right; x++) out[y * width + x] = mean;
    }
  }
  return out;
}
