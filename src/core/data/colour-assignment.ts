/**
 * Which background colour each sample gets, by the ReBias rule (BISE.md): per class, after shuffling, the first
 * ⌊n·ρ⌋ samples get the class colour; the rest are cut into consecutive chunks of ⌈(n − ⌊n·ρ⌋)/(K−1)⌉ samples,
 * one chunk per other colour, the other colours taken in a shuffled order. The last chunk may be short and, when
 * there are few conflicting samples, the last colours may get none: that is what the reference code does.
 */
import { DatasetError } from './errors';
import { membersByClass } from './class-members';
import { Rng, shuffleInPlace } from './random';

/** How many samples of a class of size n get the class colour, and the size of each other-colour chunk. */
export function colourChunking(n: number, rho: number, numColours: number): { aligned: number; chunk: number } {
  // Math.floor(n * rho) is the same IEEE product the reference takes int() of, so even n·ρ just under an
  // integer (e.g. 100 × 0.29 = 28.999…) rounds the same way.
  const aligned = Math.floor(n * rho);
  return { aligned, chunk: Math.ceil((n - aligned) / (numColours - 1)) };
}

/**
 * Colour index per sample, correlated with `labels` at rate rho. Consumes the stream in class order: for each
 * class, one shuffle of its samples (in ascending index order) then one shuffle of the other colours.
 */
export function assignCorrelatedColours(labels: Int32Array, numClasses: number, rho: number, rng: Rng, source = 'labels'): Int32Array {
  if (!(rho >= 0 && rho <= 1)) throw new DatasetError(source, `rho: expected a bias-alignment rate in [0, 1], got ${rho}`);
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new DatasetError(source, `expected at least 2 classes (one colour each), got ${numClasses}`);
  const colours = new Int32Array(labels.length);
  const members = membersByClass(labels, numClasses, source);
  members.forEach((rows, cls) => {
    shuffleInPlace(rows, rng);
    const { aligned, chunk } = colourChunking(rows.length, rho, numClasses);
    const otherColours = Array.from({ length: numClasses - 1 }, (_, k) => (cls + 1 + k) % numClasses);
    shuffleInPlace(otherColours, rng);
    for (let i = 0; i < rows.length; i++) {
      colours[rows[i]] = i < aligned ? cls : otherColours[Math.floor((i - aligned) / chunk)];
    }
  });
  return colours;
}
