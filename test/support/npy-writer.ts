/** A tiny .npy writer for tests: any supported dtype, either byte order, format versions 1.0, 2.0 and 3.0. */

export interface NpyWriteOptions {
  /** e.g. '<f4', '>i8', '|u1', '|b1'. */
  readonly descr: string;
  readonly shape: readonly number[];
  /** Element values in C order; bigint or number for i8. */
  readonly data: readonly (number | bigint)[];
  readonly version?: 1 | 2 | 3;
  readonly fortranOrder?: boolean;
}

/** The header dict as NumPy writes it. */
export function npyHeaderText(descr: string, shape: readonly number[], fortranOrder = false): string {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${tuple}, }`;
}

/** Magic, version, length and header (padded with spaces to a multiple of 64 and ended by a newline), then data. */
export function npyFromHeader(header: string, data: Uint8Array, version: 1 | 2 | 3 = 1): Buffer {
  const prefix = version === 1 ? 10 : 12;
  const encoded = Buffer.from(header, version === 3 ? 'utf8' : 'latin1');
  const padded = Math.ceil((prefix + encoded.length + 1) / 64) * 64 - prefix;
  const head = Buffer.alloc(prefix + padded, 0x20);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) head.writeUInt16LE(padded, 8);
  else head.writeUInt32LE(padded, 8);
  encoded.copy(head, prefix);
  head[prefix + padded - 1] = 0x0a;
  return Buffer.concat([head, data]);
}

export function npyBytes(options: NpyWriteOptions): Buffer {
  const { descr, shape, data, version = 1, fortranOrder = false } = options;
  return npyFromHeader(npyHeaderText(descr, shape, fortranOrder), encodeData(descr, data), version);
}

function encodeData(descr: string, data: readonly (number | bigint)[]): Uint8Array {
  const little = descr[0] !== '>';
  const kind = descr.slice(1);
  const size = Number(kind.slice(1));
  const bytes = new Uint8Array(size * data.length);
  const view = new DataView(bytes.buffer);
  data.forEach((value, i) => {
    const at = i * size;
    const v = Number(value);
    switch (kind) {
      case 'u1':
      case 'b1':
        return view.setUint8(at, v);
      case 'i1':
        return view.setInt8(at, v);
      case 'i2':
        return view.setInt16(at, v, little);
      case 'i4':
        return view.setInt32(at, v, little);
      case 'i8':
        return view.setBigInt64(at, BigInt(value), little);
      case 'f4':
        return view.setFloat32(at, v, little);
      case 'f8':
        return view.setFloat64(at, v, little);
      default:
        throw new Error(`npy-writer: no encoder for ${descr}`);
    }
  });
  return bytes;
}
