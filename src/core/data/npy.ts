/**
 * Reader for NumPy .npy files (format versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a major and minor
 * version byte, the header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0), a Python-dict header (latin-1, or
 * UTF-8 in 3.0), then the raw C-order data. Sizes are checked against the file before anything is allocated, so
 * a hostile header cannot make us reserve memory the file does not back.
 */
import { readFileSync } from 'node:fs';
import { DatasetError } from './errors';
import { NpyDtype, NpyDtypeName, parseNpyDtype } from './npy-dtype';
import { parseNpyHeader } from './npy-header';

export type NpyData = Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

export interface NpyArray {
  readonly dtype: NpyDtypeName;
  /** C order; () for a scalar. */
  readonly shape: readonly number[];
  /** The elements in C order, in the host's byte order; bool arrays are 0/1 bytes. */
  readonly data: NpyData;
  /** '1.0', '2.0' or '3.0'. */
  readonly version: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** NumPy's own reader refuses headers over 10,000 bytes by default; 1 MiB leaves room without inviting abuse. */
const MAX_HEADER_BYTES = 1 << 20;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes a .npy file's bytes; `file` names it in errors. */
export function parseNpy(bytes: Uint8Array, file = 'NPY data'): NpyArray {
  const layout = parseNpyLayout(bytes, bytes.length, file);
  const data = decodeNpyData(bytes.subarray(layout.dataStart), layout.dtype, layout.count);
  if (layout.dtype.name === 'bool') checkBooleans(data as Uint8Array, file);
  return { dtype: layout.dtype.name, shape: layout.shape, data, version: layout.version };
}

/** Where a .npy file's data lies and what it holds, read from its first bytes (streaming reads the rest by offset). */
export interface NpyLayout {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** Elements (the product of the shape). */
  readonly count: number;
  /** Byte offset of the first element. */
  readonly dataStart: number;
  readonly version: string;
}

/**
 * Parses the magic, version and header from `bytes` (the file's start: at least its header) and checks them
 * against the file's full length `fileBytes`.
 */
export function parseNpyLayout(bytes: Uint8Array, fileBytes: number, file = 'NPY data'): NpyLayout {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const start = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(file, `expected the .npy magic 93 4e 55 4d 50 59 ("\\x93NUMPY") and a version, got ${start || 'an empty file'} (is this a .npy file? .npz archives are not read)`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw new DatasetError(file, `expected .npy format version 1.0, 2.0 or 3.0, got ${major}.${minor}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const prefix = 8 + lengthBytes;
  if (fileBytes < prefix) throw new DatasetError(file, `the file ends inside the header length (${fileBytes} bytes)`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_HEADER_BYTES) throw new DatasetError(file, `header: expected at most ${MAX_HEADER_BYTES} bytes, the file declares ${headerLength}`);
  const dataStart = prefix + headerLength;
  if (dataStart > fileBytes) {
    throw new DatasetError(file, `header: the file declares ${headerLength} header bytes but ends after ${fileBytes - prefix}`);
  }
  if (dataStart > bytes.length) throw new RangeError(`parseNpyLayout: expected the first ${dataStart} bytes of ${file}, got ${bytes.length}`);
  const header = parseNpyHeader(decodeHeaderText(bytes.subarray(prefix, dataStart), major, file), file);
  if (header.fortranOrder) {
    throw new DatasetError(file, `fortran_order is True: only C-order arrays are read; save with np.save(path, np.ascontiguousarray(a))`);
  }
  const dtype = parseNpyDtype(header.descr, file);
  const count = header.shape.reduce((a, d) => a * d, 1);
  const dataBytes = fileBytes - dataStart;
  // A float product that overflows 2^53 still compares correctly against a real byte count.
  if (count * dtype.itemSize !== dataBytes) {
    throw new DatasetError(
      file,
      `expected shape ${formatShape(header.shape)} × ${dtype.itemSize} byte(s) = ${count * dtype.itemSize} data bytes after the ${dataStart}-byte header, got ${dataBytes}`,
    );
  }
  return { dtype, shape: header.shape, count, dataStart, version: `${major}.0` };
}

/** The largest header parseNpyLayout needs to see, with the bytes before it. */
export const NPY_MAX_PREFIX_BYTES = 12 + MAX_HEADER_BYTES;

/** Reads and decodes a .npy file from disk. */
export function readNpyFile(file: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError(file, `could not read the .npy file (${(err as Error).message})`);
  }
  return parseNpy(bytes, file);
}

/** Python's spelling of a shape: (), (3,), (2, 3). */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function decodeHeaderText(bytes: Uint8Array, major: number, file: string): string {
  if (major < 3) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DatasetError(file, 'header: a version 3.0 header must be valid UTF-8');
  }
}

/** Elements from their bytes, in the host's byte order (a copy). */
export function decodeNpyData(bytes: Uint8Array, dtype: NpyDtype, count: number): NpyData {
  // A fresh copy: the file's bytes may sit at an offset that is not a multiple of the item size (Node pools
  // small Buffers), and typed-array views need aligned offsets.
  const own = new Uint8Array(bytes.length);
  own.set(bytes);
  if (dtype.itemSize > 1 && dtype.littleEndian !== HOST_LITTLE_ENDIAN) reverseEachItem(own, dtype.itemSize);
  const buffer = own.buffer;
  switch (dtype.name) {
    case 'u1':
    case 'bool':
      return own;
    case 'i1':
      return new Int8Array(buffer, 0, count);
    case 'i2':
      return new Int16Array(buffer, 0, count);
    case 'i4':
      return new Int32Array(buffer, 0, count);
    case 'i8':
      return new BigInt64Array(buffer, 0, count);
    case 'f4':
      return new Float32Array(buffer, 0, count);
    case 'f8':
      return new Float64Array(buffer, 0, count);
  }
}

/** Converts between byte orders in place. */
function reverseEachItem(bytes: Uint8Array, itemSize: number): void {
  for (let start = 0; start < bytes.length; start += itemSize) {
    for (let a = start, b = start + itemSize - 1; a < b; a++, b--) {
      const tmp = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = tmp;
    }
  }
}

function checkBooleans(data: Uint8Array, file: string): void {
  const bad = data.findIndex((v) => v > 1);
  if (bad >= 0) throw new DatasetError(file, `bool data: expected bytes 0 or 1, got ${data[bad]} at flat index ${bad}`);
}
