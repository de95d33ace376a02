/**
 * The NumPy dtype strings (the header's 'descr') that user datasets come in: '<f4', '>i8', '|u1', '|b1', …
 * Anything else is refused with a message that says what was found and what is supported.
 */
import { DatasetError } from './errors';

export type NpyDtypeName = 'u1' | 'i1' | 'i2' | 'i4' | 'i8' | 'f4' | 'f8' | 'bool';

export interface NpyDtype {
  readonly name: NpyDtypeName;
  /** Bytes per element. */
  readonly itemSize: number;
  /** Byte order of the file's data; irrelevant (true) for one-byte types. */
  readonly littleEndian: boolean;
}

const SUPPORTED: Readonly<Record<string, NpyDtypeName>> = {
  u1: 'u1',
  i1: 'i1',
  i2: 'i2',
  i4: 'i4',
  i8: 'i8',
  f4: 'f4',
  f8: 'f8',
  b1: 'bool',
};

/** Friendly names for dtypes people do meet, so that the refusal says what the file holds. */
const KNOWN_UNSUPPORTED: Readonly<Record<string, string>> = {
  f2: 'float16',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  c8: 'complex64',
  c16: 'complex128',
  f16: 'float128',
};

const SUPPORTED_LIST = 'u1 (uint8), i1, i2, i4, i8, f4 (float32), f8 (float64) and b1 (bool)';

/** Parses a descr such as '<f4'; `file` names the .npy file in errors. */
export function parseNpyDtype(descr: string, file: string): NpyDtype {
  const match = /^([<>|=])([a-zA-Z])(\d*)$/.exec(descr);
  if (match === null) {
    if (/^[<>|=]?O/.test(descr)) throw objectRefusal(descr, file);
    throw new DatasetError(file, `header 'descr': expected a dtype string like '<f4' (byte order, kind, size), got '${descr}'`);
  }
  const [, order, kind, size] = match as unknown as [string, string, string, string];
  if (kind === 'O' || kind === 'V') throw objectRefusal(descr, file);
  if (kind === 'U' || kind === 'S' || kind === 'a') {
    throw new DatasetError(file, `dtype '${descr}' is a string type: expected a numeric array (${SUPPORTED_LIST})`);
  }
  const key = `${kind}${size}`;
  const name = SUPPORTED[key];
  if (name === undefined) {
    const known = KNOWN_UNSUPPORTED[key];
    throw new DatasetError(file, `dtype '${descr}'${known ? ` (${known})` : ''} is not supported: expected ${SUPPORTED_LIST}`);
  }
  const itemSize = Number(size);
  if (itemSize > 1 && order !== '<' && order !== '>') {
    // NumPy itself always writes '<' or '>' for multi-byte types; '|' or '=' would leave the byte order unknown.
    throw new DatasetError(file, `dtype '${descr}': expected byte order '<' (little-endian) or '>' (big-endian) for a ${itemSize}-byte type, got '${order}'`);
  }
  return { name, itemSize, littleEndian: order !== '>' };
}

function objectRefusal(descr: string, file: string): DatasetError {
  return new DatasetError(
    file,
    `dtype '${descr}' holds Python objects (pickled data), which are not read for safety: save a plain numeric array, e.g. np.save(path, np.asarray(a, dtype=np.float32))`,
  );
}
