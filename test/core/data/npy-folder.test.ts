import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpyFolder } from '../../../src/core/data/npy-folder';
import { NpyWriteOptions, npyBytes } from '../../support/npy-writer';

const base = mkdtempSync(join(tmpdir(), 'bise-npy-folder-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

type Files = Record<string, NpyWriteOptions | undefined>;
let folders = 0;

/** A fresh folder holding the given files (name → array); undefined entries are left out. */
function folder(files: Files): string {
  const dir = join(base, `case-${folders++}`);
  mkdirSync(dir);
  for (const [name, array] of Object.entries(files)) if (array) writeFileSync(join(dir, name), npyBytes(array));
  return dir;
}

const u8 = (shape: number[], data: number[]): NpyWriteOptions => ({ descr: '|u1', shape, data });
const i64 = (data: number[]): NpyWriteOptions => ({ descr: '<i8', shape: [data.length], data });
const f32 = (shape: number[], data: number[]): NpyWriteOptions => ({ descr: '<f4', shape, data });
const range = (n: number, f: (i: number) => number = (i) => i): number[] => Array.from({ length: n }, (_, i) => f(i));

/** Four 1×2×2 uint8 train images, two val, two test; labels 0/1 (2 only in test), one bias column. */
function goodFiles(): Files {
  return {
    'x_train.npy': u8([4, 1, 2, 2], range(16, (i) => i * 17)),
    'y_train.npy': i64([0, 1, 0, 1]),
    'b_train.npy': u8([4], [0, 1, 1, 0]),
    'x_val.npy': u8([2, 1, 2, 2], range(8, (i) => 255 - i)),
    'y_val.npy': i64([1, 0]),
    'b_val.npy': u8([2], [1, 0]),
    'x_test.npy': u8([2, 1, 2, 2], range(8)),
    'y_test.npy': i64([2, 0]),
    'b_test.npy': u8([2], [0, 2]),
  };
}

test('reads uint8 NCHW splits, normalising (x/255 − 0.5)/0.5 and counting classes across splits', () => {
  const dir = folder(goodFiles());
  const { train, val, test: testSet } = readNpyFolder(dir, { name: 'mine' });
  assert.equal(train.name, 'mine/train');
  assert.deepEqual(train.dims, [1, 2, 2]);
  assert.deepEqual(Array.from(train.x), range(16, (i) => Math.fround(((i * 17) / 255 - 0.5) / 0.5)));
  assert.deepEqual(Array.from(val.x), range(8, (i) => Math.fround(((255 - i) / 255 - 0.5) / 0.5)));
  assert.deepEqual(Array.from(train.y), [0, 1, 0, 1]);
  assert.deepEqual(Array.from(testSet.y), [2, 0]);
  assert.deepEqual(Array.from(testSet.biases[0]), [0, 2]);
  for (const set of [train, val, testSet]) {
    assert.equal(set.numClasses, 3);
    assert.deepEqual(set.biasClasses, [3]);
  }
  assert.equal(train.meta.layout, 'NCHW');
  assert.equal(train.meta.inputDtype, 'u1');
  assert.deepEqual(train.meta.val, { from: 'files' });
  assert.deepEqual(train.meta.normalize, { mean: [0.5], std: [0.5] });
  const given = readNpyFolder(dir, { numClasses: 5, biasClasses: [4] });
  assert.equal(given.val.numClasses, 5);
  assert.deepEqual(given.val.biasClasses, [4]);
});

test('reads float NHWC (v2 and big-endian files too), transposing to NCHW with per-channel normalisation and k bias columns', () => {
  // Sample n, pixel (h, w), channel c holds 100n + 10(2h + w) + c.
  const nhwc = range(2 * 2 * 2 * 3, (i) => 100 * Math.floor(i / 12) + 10 * Math.floor((i % 12) / 3) + (i % 3));
  const files: Files = {
    'x_train.npy': { ...f32([2, 2, 2, 3], nhwc), version: 2 },
    'y_train.npy': { descr: '>i2', shape: [2], data: [0, 1] },
    'b_train.npy': { descr: '>i4', shape: [2, 2], data: [0, 1, 1, 0] },
    'x_test.npy': { descr: '>f8', shape: [2, 2, 2, 3], data: nhwc },
    'y_test.npy': { descr: '|i1', shape: [2], data: [1, 0] },
    'b_test.npy': { descr: '<i8', shape: [2, 2], data: [1, 1, 0, 0], version: 3 },
  };
  const dir = folder(files);
  const mean = [1, 2, 3];
  const std = [1, 2, 4];
  const { train, test: testSet } = readNpyFolder(dir, { normalize: { mean, std }, valFraction: 0.5 });
  assert.deepEqual(train.dims, [3, 2, 2]);
  assert.equal(train.meta.layout, 'NHWC');
  const expected = (n: number): number[] =>
    range(12, (i) => {
      const c = Math.floor(i / 4);
      const p = i % 4;
      return (100 * n + 10 * p + c - mean[c]) / std[c];
    });
  assert.deepEqual(Array.from(testSet.x), [...expected(0), ...expected(1)]);
  assert.equal(testSet.biases.length, 2);
  assert.deepEqual(Array.from(testSet.biases[0]), [1, 0]);
  assert.deepEqual(Array.from(testSet.biases[1]), [1, 0]);
  assert.deepEqual(testSet.meta.biasNames, ['b[:, 0]', 'b[:, 1]']);
  assert.equal(train.y.length + 1, 2); // one of the two train rows went to val
});

test('detects the channel axis on train, takes options.layout when it is ambiguous, and reads [N, H, W] as one channel', () => {
  const labels = { 'y_train.npy': i64([0, 1]), 'b_train.npy': u8([2], [0, 1]), 'y_test.npy': i64([0]), 'b_test.npy': u8([1], [1]) };
  const ambiguous = folder({ ...labels, 'x_train.npy': u8([2, 3, 4, 3], range(72)), 'x_val.npy': undefined, 'x_test.npy': u8([1, 3, 4, 3], range(36)) });
  assert.throws(() => readNpyFolder(ambiguous, { valFraction: 0.5 }), /x_train\.npy: x: shape \(2, 3, 4, 3\) could be NCHW or NHWC .*pass options\.layout/);
  assert.deepEqual(readNpyFolder(ambiguous, { valFraction: 0.5, layout: 'NHWC' }).test.dims, [3, 3, 4]);
  assert.deepEqual(readNpyFolder(ambiguous, { valFraction: 0.5, layout: 'NCHW' }).test.dims, [3, 4, 3]);
  const gray = folder({ ...labels, 'x_train.npy': u8([2, 5, 4], range(40)), 'x_test.npy': u8([1, 5, 4], range(20)) });
  assert.deepEqual(readNpyFolder(gray, { valFraction: 0.5 }).test.dims, [1, 5, 4]);
  const neither = folder({ ...labels, 'x_train.npy': u8([2, 2, 5, 5], range(100)), 'x_test.npy': u8([1, 2, 5, 5], range(50)) });
  assert.throws(() => readNpyFolder(neither), /x_train\.npy: x: shape \(2, 2, 5, 5\): expected 1 or 3 channels on axis 1 \(NCHW\) or axis 3 \(NHWC\)/);
});

/** 100 train samples whose single pixel is their row index; y = i mod 2; bias = y except for every tenth row. */
function carvingFolder(): string {
  const y = range(100, (i) => i % 2);
  const b = range(100, (i) => (i % 10 === 0 ? 1 - y[i] : y[i]));
  return folder({
    'x_train.npy': f32([100, 1, 1], range(100)),
    'y_train.npy': i64(y),
    'b_train.npy': i64(b),
    'x_test.npy': f32([2, 1, 1], [0, 1]),
    'y_test.npy': i64([0, 1]),
    'b_test.npy': i64([0, 1]),
  });
}

test('without val files, carves a seeded val out of train, stratified by (target, bias)', () => {
  const dir = carvingFolder();
  const identity = { normalize: { mean: [0], std: [1] } };
  const rowsOf = (xs: Float32Array): number[] => Array.from(xs);
  const first = readNpyFolder(dir, identity);
  const trainRows = rowsOf(first.train.x);
  const valRows = rowsOf(first.val.x);
  assert.equal(valRows.length, 10);
  assert.equal(trainRows.length, 90);
  assert.deepEqual([...trainRows, ...valRows].sort((a, b) => a - b), range(100));
  // Groups (0,0): 40 rows, (0,1): 10 rows (the bias-conflicting ones), (1,1): 50 rows → 4, 1 and 5 in val.
  const groupOf = (row: number): string => `${row % 2},${row % 10 === 0 ? 1 - (row % 2) : row % 2}`;
  const counts = (rows: number[]): Record<string, number> => rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [groupOf(r)]: (acc[groupOf(r)] ?? 0) + 1 }), {});
  assert.deepEqual(counts(valRows), { '0,0': 4, '0,1': 1, '1,1': 5 });
  // Labels travel with their rows.
  assert.deepEqual(Array.from(first.val.y), valRows.map((r) => r % 2));
  assert.deepEqual(first.val.meta.val, { from: 'train', valFraction: 0.1, seed: 0 });
  assert.equal(first.val.meta.split, 'val');
  assert.equal(first.val.name, `${first.train.name.split('/')[0]}/val`);

  assert.deepEqual(rowsOf(readNpyFolder(dir, identity).val.x), valRows, 'same seed, same rows');
  assert.notDeepEqual(rowsOf(readNpyFolder(dir, { ...identity, seed: 1 }).val.x), valRows, 'another seed, other rows');
  assert.equal(readNpyFolder(dir, { ...identity, valFraction: 0.25 }).val.y.length, 25);
  assert.throws(() => readNpyFolder(dir, { valFraction: 1.5 }), /valFraction: expected a number in \[0, 1\), got 1\.5/);
});

test('names the expected path of a missing file, and both files and counts on a mismatch', () => {
  const missingTest = folder({ ...goodFiles(), 'b_test.npy': undefined });
  assert.throws(() => readNpyFolder(missingTest), (err: Error) => err.message.startsWith(`${join(missingTest, 'b_test.npy')}: missing: expected the test split's bias labels here`));
  const partialVal = folder({ ...goodFiles(), 'y_val.npy': undefined });
  assert.throws(() => readNpyFolder(partialVal), /y_val\.npy: missing: expected the val split's target labels here \(or remove all val files/);
  assert.throws(() => readNpyFolder(join(base, 'no-such-folder')), /no-such-folder: expected a folder holding x_train\.npy/);

  const fewLabels = folder({ ...goodFiles(), 'y_train.npy': i64([0, 1, 0]) });
  assert.throws(() => readNpyFolder(fewLabels), /y_train\.npy: expected one entry per image of .*x_train\.npy \(4 images\), got 3 labels/);
  const manyBiases = folder({ ...goodFiles(), 'b_val.npy': u8([3], [0, 1, 0]) });
  assert.throws(() => readNpyFolder(manyBiases), /b_val\.npy: expected one entry per image of .*x_val\.npy \(2 images\), got 3 bias rows/);
  const otherSize = folder({ ...goodFiles(), 'x_test.npy': u8([2, 1, 3, 3], range(18)) });
  assert.throws(() => readNpyFolder(otherSize), /x_test\.npy: expected images of \[C, H, W\] = \[1, 2, 2\] like .*x_train\.npy, got \[1, 3, 3\]/);
  const moreColumns = folder({ ...goodFiles(), 'b_test.npy': u8([2, 2], [0, 1, 1, 0]) });
  assert.throws(() => readNpyFolder(moreColumns), /b_test\.npy: expected 1 bias column\(s\) like .*b_train\.npy, got 2/);
  assert.throws(() => readNpyFolder(folder(goodFiles()), { biasClasses: [3, 3] }), /options\.biasClasses: expected 1 entries/);
  const empty = folder({ ...goodFiles(), 'x_train.npy': u8([0, 1, 2, 2], []), 'y_train.npy': i64([]), 'b_train.npy': u8([0], []) });
  assert.throws(() => readNpyFolder(empty), /x_train\.npy: expected at least one training image, got none/);
});

test('refuses negative, out-of-range and non-integer labels, naming the file and row', () => {
  const negative = folder({ ...goodFiles(), 'y_train.npy': i64([0, 1, -1, 1]) });
  assert.throws(() => readNpyFolder(negative), /y_train\.npy: row 2: y: expected a non-negative integer label, got -1/);
  const huge = folder({ ...goodFiles(), 'y_val.npy': { descr: '<i8', shape: [2], data: [0n, 2n ** 40n] } });
  assert.throws(() => readNpyFolder(huge), /y_val\.npy: row 1: y: expected a non-negative integer label, got 1099511627776/);
  assert.throws(() => readNpyFolder(folder(goodFiles()), { numClasses: 2 }), /y_test\.npy: row 0: numClasses: expected a label in \[0, 2\) \(numClasses = 2\), got 2/);
  assert.throws(() => readNpyFolder(folder(goodFiles()), { biasClasses: [2] }), /b_test\.npy: row 1: biasClasses\[0\]: expected a label in \[0, 2\)/);
  const negativeBias = folder({ ...goodFiles(), 'b_test.npy': { descr: '<i4', shape: [2, 1], data: [0, -3] } });
  assert.throws(() => readNpyFolder(negativeBias), /b_test\.npy: row 1: b\[:, 0\]: expected a non-negative integer label, got -3/);
  const floatLabels = folder({ ...goodFiles(), 'y_train.npy': f32([4], [0, 1, 0, 1]) });
  assert.throws(() => readNpyFolder(floatLabels), /y_train\.npy: y: expected an integer dtype .* got f4/);
  const matrixLabels = folder({ ...goodFiles(), 'y_train.npy': u8([4, 1], [0, 1, 0, 1]) });
  assert.throws(() => readNpyFolder(matrixLabels), /y_train\.npy: y: expected shape \(N,\), got \(4, 1\)/);
  const intImages = folder({ ...goodFiles(), 'x_train.npy': { descr: '<i4', shape: [4, 1, 2, 2], data: range(16) } });
  assert.throws(() => readNpyFolder(intImages), /x_train\.npy: x: expected uint8 pixels 0–255 \(u1\) or float images \(f4, f8\), got dtype i4/);
});

test('a bias column with one value in train is refused, naming the file and column', () => {
  const constant = folder({ ...goodFiles(), 'b_train.npy': u8([4], [1, 1, 1, 1]) });
  assert.throws(() => readNpyFolder(constant), /b_train\.npy: bias column 0 \(b\): every training sample has the same value 1: BISE needs bias variation/);
  const secondColumn = folder({
    ...goodFiles(),
    'b_train.npy': u8([4, 2], [0, 5, 1, 5, 1, 5, 0, 5]),
    'b_val.npy': u8([2, 2], [0, 1, 1, 0]),
    'b_test.npy': u8([2, 2], [0, 1, 1, 0]),
  });
  assert.throws(() => readNpyFolder(secondColumn), /b_train\.npy: bias column 1 \(b\[:, 1\]\): every training sample has the same value 5/);
});

test('NaN and infinities in x are refused at their first index', () => {
  const nan = folder({ ...goodFiles(), 'x_test.npy': f32([2, 1, 2, 2], [0, 0, 0, 0, 0, NaN, 0, Infinity]) });
  assert.throws(() => readNpyFolder(nan), /x_test\.npy: row 1: x: expected finite values, got NaN at flat index 5 \(index 1 of the sample\)/);
  const inf = folder({ ...goodFiles(), 'x_val.npy': { descr: '>f8', shape: [2, 1, 2, 2], data: [0, -Infinity, 0, 0, 0, 0, 0, 0] } });
  assert.throws(() => readNpyFolder(inf), /x_val\.npy: row 0: x: expected finite values, got -Infinity at flat index 1/);
});

test('normalisation options are checked against the channel count', () => {
  const dir = folder(goodFiles());
  assert.throws(() => readNpyFolder(dir, { normalize: { mean: [0.5, 0.5], std: [0.5] } }), /x_train\.npy: normalize\.mean: expected 1 or 1 value\(s\)/);
  assert.throws(() => readNpyFolder(dir, { normalize: { mean: [0.5], std: [0] } }), /normalize\.std\[0\]: expected a finite number > 0, got 0/);
});
