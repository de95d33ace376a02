/**
 * Separable convolution of one grey plane (rows, then columns) with edge pixels repeated beyond the border, so
 * that a blur keeps the image's size and its brightness at the edges. Used by the blur corruptions.
 */

/** Convolves `plane` (height × width, row-major) with `rowKernel` along x and `columnKernel` along y; new array. */
export function convolveSeparable(plane: Float32Array, height: number, width: number, rowKernel: readonly number[], columnKernel: readonly number[]): Float32Array {
  if (plane.length !== height * width) throw new RangeError(`convolveSeparable: expected ${height}×${width} = ${height * width} values, got ${plane.length}`);
  const horizontal = new Float32Array(plane.length);
  const rowRadius = (rowKernel.length - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < rowKernel.length; k++) sum += rowKernel[k] * plane[y * width + clampIndex(x + k - rowRadius, width)];
      horizontal[y * width + x] = sum;
    }
  }
  const out = new Float32Array(plane.length);
  const columnRadius = (columnKernel.length - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < columnKernel.length; k++) sum += columnKernel[k] * horizontal[clampIndex(y + k - columnRadius, height) * width + x];
      out[y * width + x] = sum;
    }
  }
  return out;
}

/** A normalised Gaussian kernel of standard deviation sigma, truncated at ±⌈3σ⌉ (odd length). */
export function gaussianKernel(sigma: number): number[] {
  const radius = Math.ceil(3 * sigma);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/** A normalised box kernel of odd `length`: the mean of `length` neighbours. */
export function boxKernel(length: number): number[] {
  if (!Number.isInteger(length) || length < 1 || length % 2 === 0) throw new RangeError(`boxKernel: expected an odd positive length, got ${length}`);
  return Array.from({ length }, () => 1 / length);
}

function clampIndex(i: number, size: number): number {
  return i < 0 ? 0 : i >= size ? size - 1 : i;
}
