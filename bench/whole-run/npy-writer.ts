/** Writes float32 and int64 arrays as .npy (format 1.0, little-endian, C order) for the PyTorch side of the bench. */
import * as fs from 'node:fs';

export type NpyOut = { readonly descr: '<f4'; readonly data: Float32Array } | { readonly descr: '<i8'; readonly data: Int32Array };

export function npyFileBytes(array: NpyOut, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw new Error(`npy: shape [${shape.join(', ')}] holds ${count} values, got ${array.data.length}`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const header = `{'descr': '${array.descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64 and ended by '\n'.
  const padded = Math.ceil((10 + header.length + 1) / 64) * 64 - 10;
  const head = Buffer.alloc(10 + padded, 0x20);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(padded, 8);
  head.write(header, 10, 'latin1');
  head[10 + padded - 1] = 0x0a;
  const body = array.descr === '<f4' ? Buffer.from(array.data.buffer, array.data.byteOffset, array.data.byteLength) : int64Bytes(array.data);
  return Buffer.concat([head, body]);
}

function int64Bytes(values: Int32Array): Buffer {
  const out = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => out.writeBigInt64LE(BigInt(v), i * 8));
  return out;
}

export function writeNpy(file: string, array: NpyOut, shape: readonly number[]): void {
  fs.writeFileSync(file, npyFileBytes(array, shape));
}
