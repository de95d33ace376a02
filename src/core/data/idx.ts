/**
 * Reader for the IDX files MNIST is distributed in (train-images-idx3-ubyte, train-labels-idx1-ubyte, …), gzipped
 * or not. Layout: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions, then each
 * dimension as a big-endian uint32, then the data. Only unsigned bytes are supported: that is all MNIST uses.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from './errors';
import { LabelledDigits, validateDigits } from './gray-digits';

const UNSIGNED_BYTE = 0x08;
const TYPE_NAMES: Readonly<Record<number, string>> = { 0x08: 'ubyte', 0x09: 'sbyte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

export interface IdxArray {
  readonly dims: readonly number[];
  /** Row-major, a view into the file's bytes. */
  readonly data: Uint8Array;
}

/**
 * Largest decompressed IDX file accepted: the full MNIST training images are 47 MB, EMNIST's largest 700 MB. A
 * gzip "bomb" (a small file that inflates to gigabytes) is stopped here, before the memory is taken.
 */
export const MAX_IDX_BYTES = 2 ** 30;

/** Decodes an IDX ubyte array from bytes (gunzipping them first when they start with the gzip magic 1f 8b). */
export function parseIdx(bytes: Uint8Array, file = 'IDX data', maxBytes = MAX_IDX_BYTES): IdxArray {
  const raw = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzip(bytes, file, maxBytes) : bytes;
  if (raw.length < 4) throw new DatasetError(file, `expected at least a 4-byte IDX header, got ${raw.length} bytes`);
  const magic = Array.from(raw.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (raw[0] !== 0 || raw[1] !== 0) throw new DatasetError(file, `bad IDX magic ${magic}: expected it to start with 00 00 (is this an IDX file?)`);
  const type = raw[2];
  if (type !== UNSIGNED_BYTE) {
    const name = TYPE_NAMES[type];
    throw new DatasetError(file, `bad IDX magic ${magic}: expected element type 08 (ubyte), got ${name ? `${name}, which is not supported` : 'an unknown type code'}`);
  }
  const rank = raw[3];
  const headerLength = 4 + 4 * rank;
  if (raw.length < headerLength) throw new DatasetError(file, `expected ${rank} dimension sizes after the magic, but the file ends after ${raw.length} bytes`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k, false));
  const expected = dims.reduce((a, d) => a * d, 1);
  const actual = raw.length - headerLength;
  if (actual !== expected) {
    throw new DatasetError(file, `expected ${dims.join('×')} = ${expected} data bytes after the ${headerLength}-byte header, got ${actual}`);
  }
  return { dims, data: raw.subarray(headerLength) };
}

function gunzip(bytes: Uint8Array, file: string, maxBytes: number): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(bytes, { maxOutputLength: maxBytes }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DatasetError(file, `decompresses to more than ${maxBytes} bytes, more than an IDX file this tool reads (a damaged or hostile .gz?)`);
    }
    throw new DatasetError(file, `looks gzipped (starts with 1f 8b) but could not be decompressed (${(err as Error).message})`);
  }
}

/** Reads an IDX file from disk (plain or .gz). */
export function readIdxFile(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError(file, `could not read the IDX file (${(err as Error).message})`);
  }
  return parseIdx(bytes, file);
}

/** Reads an idx3-ubyte image file and an idx1-ubyte label file into digits with intensities x/255. */
export function readMnistIdx(imagesFile: string, labelsFile: string): LabelledDigits {
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.dims.length !== 3) throw new DatasetError(imagesFile, `expected an idx3 image file (count×rows×columns), got ${images.dims.length} dimensions`);
  if (labels.dims.length !== 1) throw new DatasetError(labelsFile, `expected an idx1 label file (count), got ${labels.dims.length} dimensions`);
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) throw new DatasetError(labelsFile, `expected ${count} labels to match ${imagesFile}, got ${labels.dims[0]}`);
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  return validateDigits({ pixels, count, height, width, labels: Int32Array.from(labels.data), source: `${imagesFile} + ${labelsFile}` });
}
