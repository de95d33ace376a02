/** Grayscale digit images with labels: what the coloured MNIST variants are built from. */
import { DatasetError } from './errors';

export interface GrayImages {
  /** count×height×width, row-major, intensities in [0, 1]; a pixel > 0 is part of the digit. */
  readonly pixels: Float32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
}

export interface LabelledDigits extends GrayImages {
  /** Digit class of each image, 0 … 9. */
  readonly labels: Int32Array;
  /** Where the digits came from (a file or package), for error messages and dataset metadata. */
  readonly source: string;
}

/** Checks sizes, the [0, 1] range and labels 0 … 9; returns the digits. */
export function validateDigits(digits: LabelledDigits): LabelledDigits {
  const { pixels, count, height, width, labels, source } = digits;
  const area = height * width;
  if (pixels.length !== count * area) {
    throw new DatasetError(source, `expected ${count}×${height}×${width} = ${count * area} pixels, got ${pixels.length}`);
  }
  if (labels.length !== count) throw new DatasetError(source, `expected ${count} labels (one per image), got ${labels.length}`);
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (!(v >= 0 && v <= 1)) throw new DatasetError(source, `expected pixel intensities in [0, 1], got ${v} at pixel ${i % area}`, Math.floor(i / area));
  }
  for (let i = 0; i < count; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label > 9) throw new DatasetError(source, `expected a digit label 0…9, got ${label}`, i);
  }
  return digits;
}

/** The images at `indices`, in that order, with their labels. */
export function selectDigits(digits: LabelledDigits, indices: Int32Array): LabelledDigits {
  const area = digits.height * digits.width;
  const pixels = new Float32Array(indices.length * area);
  const labels = new Int32Array(indices.length);
  indices.forEach((i, row) => {
    if (i < 0 || i >= digits.count) throw new DatasetError(digits.source, `selection: expected an image index in [0, ${digits.count}), got ${i} at position ${row}`);
    pixels.set(digits.pixels.subarray(i * area, (i + 1) * area), row * area);
    labels[row] = digits.labels[i];
  });
  return { pixels, count: indices.length, height: digits.height, width: digits.width, labels, source: digits.source };
}
