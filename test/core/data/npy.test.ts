import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, readNpyFile } from '../../../src/core/data/npy';
import { npyBytes, npyFromHeader, npyHeaderText } from '../../support/npy-writer';

const dir = mkdtempSync(join(tmpdir(), 'bise-npy-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const CASES = [
  { descr: '|u1', dtype: 'u1', data: [0, 1, 127, 255, 3, 9] },
  { descr: '|i1', dtype: 'i1', data: [-128, -1, 0, 1, 100, 127] },
  { descr: '<i2', dtype: 'i2', data: [-32768, -2, 0, 300, 1234, 32767] },
  { descr: '<i4', dtype: 'i4', data: [-2147483648, -5, 0, 70000, 9, 2147483647] },
  { descr: '<f4', dtype: 'f4', data: [-1.5, 0, 0.25, 3.5, 1e-3, 65504] },
  { descr: '<f8', dtype: 'f8', data: [-1e300, 0, Math.PI, 1 / 3, 2 ** 60, -0.1] },
  { descr: '|b1', dtype: 'bool', data: [0, 1, 1, 0, 0, 1] },
] as const;

test('reads every supported dtype, little-endian, as a C-order 2×3 array', () => {
  for (const { descr, dtype, data } of CASES) {
    const array = parseNpy(npyBytes({ descr, shape: [2, 3], data }), descr);
    assert.equal(array.dtype, dtype, descr);
    assert.deepEqual(array.shape, [2, 3]);
    const expected = dtype === 'f4' ? data.map((v) => Math.fround(v)) : data;
    assert.deepEqual(Array.from(array.data as ArrayLike<number>), expected, descr);
  }
  const int64 = parseNpy(npyBytes({ descr: '<i8', shape: [3], data: [-(2n ** 63n), 5n, 2n ** 62n] }));
  assert.equal(int64.dtype, 'i8');
  assert.deepEqual(Array.from(int64.data as BigInt64Array), [-(2n ** 63n), 5n, 2n ** 62n]);
});

test('reads big-endian data of every multi-byte dtype', () => {
  for (const { descr, data } of CASES.filter((c) => c.descr.startsWith('<'))) {
    const big = `>${descr.slice(1)}`;
    const little = parseNpy(npyBytes({ descr, shape: [6], data }));
    const swapped = parseNpy(npyBytes({ descr: big, shape: [6], data }), big);
    assert.deepEqual(Array.from(swapped.data as ArrayLike<number>), Array.from(little.data as ArrayLike<number>), big);
  }
  const int64 = parseNpy(npyBytes({ descr: '>i8', shape: [2], data: [-3n, 2n ** 40n + 7n] }));
  assert.deepEqual(Array.from(int64.data as BigInt64Array), [-3n, 2n ** 40n + 7n]);
});

test('reads format versions 1.0, 2.0 and 3.0 (UTF-8 header), scalars, empty arrays and Python 2 long ints', () => {
  for (const version of [1, 2, 3] as const) {
    const array = parseNpy(npyBytes({ descr: '<i2', shape: [1, 2, 2], data: [1, 2, 3, 4], version }));
    assert.equal(array.version, `${version}.0`);
    assert.deepEqual(array.shape, [1, 2, 2]);
    assert.deepEqual(Array.from(array.data as Int16Array), [1, 2, 3, 4]);
  }
  const scalar = parseNpy(npyBytes({ descr: '<f8', shape: [], data: [2.5] }));
  assert.deepEqual(scalar.shape, []);
  assert.deepEqual(Array.from(scalar.data as Float64Array), [2.5]);
  assert.equal(parseNpy(npyBytes({ descr: '<f4', shape: [0, 3], data: [] })).data.length, 0);
  const old = parseNpy(npyFromHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2L,), }", new Uint8Array(8)));
  assert.deepEqual(old.shape, [2]);
  // Double quotes and no trailing comma are valid Python too.
  const quoted = parseNpy(npyFromHeader('{"descr": "|u1", "fortran_order": False, "shape": (2,)}', new Uint8Array([7, 8])));
  assert.deepEqual(Array.from(quoted.data as Uint8Array), [7, 8]);
});

test('refuses Fortran order, object and structured dtypes, and unsupported types, saying why', () => {
  assert.throws(() => parseNpy(npyBytes({ descr: '<f4', shape: [2, 2], data: [1, 2, 3, 4], fortranOrder: true }), 'f.npy'), /f\.npy: fortran_order is True: only C-order arrays are read/);
  assert.throws(() => parseNpy(npyFromHeader(npyHeaderText('|O', [2]), new Uint8Array(16)), 'o.npy'), /o\.npy: dtype '\|O' holds Python objects \(pickled data\)/);
  const structured = "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,), }";
  assert.throws(() => parseNpy(npyFromHeader(structured, new Uint8Array(16)), 's.npy'), /s\.npy: header 'descr': structured dtypes/);
  assert.throws(() => parseNpy(npyFromHeader(npyHeaderText('<f2', [2]), new Uint8Array(4)), 'h.npy'), /h\.npy: dtype '<f2' \(float16\) is not supported: expected u1/);
  assert.throws(() => parseNpy(npyFromHeader(npyHeaderText('<c8', [1]), new Uint8Array(8)), 'c.npy'), /complex64/);
  assert.throws(() => parseNpy(npyFromHeader(npyHeaderText('<U3', [1]), new Uint8Array(12)), 'u.npy'), /u\.npy: dtype '<U3' is a string type/);
  assert.throws(() => parseNpy(npyFromHeader(npyHeaderText('|i4', [1]), new Uint8Array(4)), 'e.npy'), /e\.npy: dtype '\|i4': expected byte order '<' \(little-endian\) or '>'/);
});

test('validates the header dict strictly', () => {
  const bad = (header: string): string => {
    try {
      parseNpy(npyFromHeader(header, new Uint8Array(8)), 'bad.npy');
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  assert.match(bad("{'descr': '<f4', 'shape': (2,), }"), /bad\.npy: header: missing key 'fortran_order'/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}"), /unexpected key 'extra'/);
  assert.match(bad("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}"), /key 'descr' appears twice/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}"), /'fortran_order': expected True or False, got a int/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}"), /'shape': expected a tuple of integers/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}"), /'shape': expected a tuple of integers .* got a int/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}"), /'shape': axis 0: expected a non-negative integer, got -2/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'a')}"), /'shape': axis 1: expected an integer, got a str/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x"), /unexpected 'x' after the dict/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)"), /expected ',' or '}' in the dict|ends in the middle/);
  assert.match(bad("{'descr': '<f4', 'fortran_order': nope, 'shape': (2,)}"), /unexpected 'nope'/);
  assert.match(bad("['descr']"), /expected a Python dict/);
});

test('checks the magic, the version and every declared size against the file before allocating', () => {
  assert.throws(() => parseNpy(Buffer.from('PK\x03\x04 not npy at all'), 'a.npz'), /a\.npz: expected the \.npy magic .* got 50 4b 03 04/);
  assert.throws(() => parseNpy(new Uint8Array(0), 'empty.npy'), /got an empty file/);
  const v4 = npyBytes({ descr: '|u1', shape: [1], data: [1] });
  v4[6] = 4;
  assert.throws(() => parseNpy(v4, 'v4.npy'), /v4\.npy: expected \.npy format version 1\.0, 2\.0 or 3\.0, got 4\.0/);
  const longHeader = npyBytes({ descr: '|u1', shape: [1], data: [1], version: 2 });
  longHeader.writeUInt32LE(0x7fffffff, 8);
  assert.throws(() => parseNpy(longHeader, 'long.npy'), /long\.npy: header: expected at most 1048576 bytes, the file declares 2147483647/);
  longHeader.writeUInt32LE(5000, 8);
  assert.throws(() => parseNpy(longHeader, 'long.npy'), /declares 5000 header bytes but ends after/);
  // A hostile shape promising 8·10^18 bytes fails on the size check, not on an allocation.
  const huge = npyFromHeader(npyHeaderText('<f8', [1e9, 1e9]), new Uint8Array(16));
  assert.throws(() => parseNpy(huge, 'huge.npy'), /huge\.npy: expected shape \(1000000000, 1000000000\) × 8 byte\(s\) = 8000000000000000000 data bytes after the 128-byte header, got 16/);
  const short = npyBytes({ descr: '<i4', shape: [3], data: [1, 2, 3] }).subarray(0, -1);
  assert.throws(() => parseNpy(short, 'short.npy'), /short\.npy: expected shape \(3,\) × 4 byte\(s\) = 12 data bytes after the 128-byte header, got 11/);
  const long = Buffer.concat([npyBytes({ descr: '<i4', shape: [3], data: [1, 2, 3] }), Buffer.from([0])]);
  assert.throws(() => parseNpy(long, 'long.npy'), /got 13/);
  assert.throws(() => parseNpy(npyBytes({ descr: '|b1', shape: [3], data: [0, 2, 1] }), 'b.npy'), /b\.npy: bool data: expected bytes 0 or 1, got 2 at flat index 1/);
});

test('reads from disk and names a missing file', () => {
  const file = join(dir, 'a.npy');
  writeFileSync(file, npyBytes({ descr: '<f4', shape: [2], data: [1.5, -2] }));
  assert.deepEqual(Array.from(readNpyFile(file).data as Float32Array), [1.5, -2]);
  assert.throws(() => readNpyFile(join(dir, 'nope.npy')), /nope\.npy: could not read the \.npy file/);
});
