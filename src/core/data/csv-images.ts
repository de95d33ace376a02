/**
 * One image row of a dataset CSV: check the path against the CSV's folder (links included), read, decode,
 * convert to RGB or grey planes in [0, 1], resize. Every failure becomes a DatasetError naming the CSV, the row
 * and the image, since that is what the user has to fix.
 */
import { readFileSync } from 'node:fs';
import { PlanarImage, resizeBilinear } from './bilinear-resize';
import { DatasetError } from './errors';
import { DecodedImage, ImageDecodeError, decodeImage } from './image-decode';
import { realPathInside } from './image-paths';
import { ImageChannels, rgbaToPlanes } from './image-planes';

export interface CsvImageRef {
  /** The CSV's folder, which the image must lie in. */
  readonly root: string;
  /** Absolute path, already checked lexically to lie inside root. */
  readonly path: string;
  /** The path as written in the CSV, for messages. */
  readonly entry: string;
  readonly csv: string;
  readonly line: number;
  readonly channels: ImageChannels;
  readonly maxPixels: number;
}

/** The image at its own size. */
export function readCsvImage(ref: CsvImageRef): PlanarImage {
  const { width, height, rgba } = readCsvImagePixels(ref);
  return { data: rgbaToPlanes(rgba, width, height, ref.channels), channels: ref.channels, height, width };
}

/** The image's 8-bit RGBA pixels, as decoded (what a streamed dataset caches: streaming/image-csv-source.ts). */
export function readCsvImagePixels(ref: CsvImageRef): DecodedImage {
  const fail = (detail: string): DatasetError => new DatasetError(ref.csv, `image "${ref.entry}": ${detail}`, ref.line);
  let bytes: Uint8Array;
  try {
    const real = realPathInside(ref.root, ref.path);
    if (!real.ok) throw fail(real.reason);
    bytes = readFileSync(real.path);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw fail(`could not read the file (${(err as Error).message})`);
  }
  try {
    return decodeImage(bytes, ref.maxPixels);
  } catch (err) {
    // Anything a decoder throws on a corrupt file is a corrupt file, whatever its class.
    const reason = err instanceof ImageDecodeError ? err.message : `corrupt image (${(err as Error).message})`;
    throw fail(`could not decode: ${reason}`);
  }
}

/** The image resized (bilinear, half-pixel centres) to height × width; C×H×W floats in [0, 1]. */
export function readCsvImageResized(ref: CsvImageRef, height: number, width: number): Float32Array {
  return resizeBilinear(readCsvImage(ref), height, width);
}

/** options.size as [height, width]: one number is a square. */
export function parseImageSize(size: number | readonly [number, number], file: string): [number, number] {
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  const ok = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65536;
  if ((typeof size !== 'number' && (!Array.isArray(size) || size.length !== 2)) || !ok(height) || !ok(width)) {
    throw new DatasetError(file, `options.size: expected a positive integer or [height, width] of integers in [1, 65536], got ${JSON.stringify(size)}`);
  }
  return [height, width];
}
