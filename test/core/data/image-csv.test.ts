import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readImageCsv } from '../../../src/core/data/image-csv';
import { jpegBytes, pngBytes, rgbaImage } from '../../support/images';

const base = mkdtempSync(join(tmpdir(), 'bise-image-csv-'));
test.after(() => rmSync(base, { recursive: true, force: true }));
let cases = 0;

/** A fresh folder with data.csv and the given files (path → bytes); returns the CSV's path. */
function dataset(csv: string, files: Record<string, Uint8Array | string> = {}): string {
  const dir = join(base, `case-${cases++}`);
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.csv'), csv);
  return join(dir, 'data.csv');
}

/** A 2×2 PNG whose pixel (r, c) is [v + 10(2r + c), 2v, 255 − v]. */
const png2 = (v: number): Buffer => pngBytes(2, 2, rgbaImage(2, 2, (r, c) => [v + 10 * (2 * r + c), 2 * v, 255 - v]));
/** Its planes normalised by (x/255 − 0.5)/0.5. */
const planes2 = (v: number): number[] =>
  [...[0, 1, 2, 3].map((p) => v + 10 * p), ...Array(4).fill(2 * v), ...Array(4).fill(255 - v)].map((x) => Math.fround((x / 255 - 0.5) / 0.5));
const identity = { normalize: { mean: [0], std: [1] } };
/** Pixels pass through float32 at [0, 1] before normalising (as torchvision's ToTensor does), so compare to 1e-6. */
function assertClose(actual: Float32Array, expected: number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tolerance, `[${i}]: ${v}, expected ${expected[i]}`));
}

test('reads a CSV with a BOM, CRLF, quoted paths, class names and a split column, converting and normalising images', () => {
  const csv = [
    '\uFEFFpath,label,bias,split,note',
    '"img, 0.png",dog,red,train,"a ""quoted"", note"',
    'img1.png,cat,blue,train,x',
    'sub/img2.jpg, cat ,red,val,',
    'img3.png,bird,blue,test,',
    'img4.png,dog,blue,test,',
  ].join('\r\n');
  const blue = rgbaImage(8, 8, () => [40, 90, 200]);
  const file = dataset(csv, { 'img, 0.png': png2(10), 'img1.png': png2(20), 'sub/img2.jpg': jpegBytes(8, 8, blue), 'img3.png': png2(30), 'img4.png': png2(40) });
  const { train, val, test: testSet } = readImageCsv(file, { size: 2 });
  assert.equal(train.name, 'data.csv/train');
  assert.deepEqual(train.dims, [3, 2, 2]);
  assertClose(train.x, [...planes2(10), ...planes2(20)]);
  assertClose(testSet.x, [...planes2(30), ...planes2(40)]);
  // Names are numbered in sorted order: bird 0, cat 1, dog 2; blue 0, red 1.
  assert.deepEqual(Array.from(train.y), [2, 1]);
  assert.deepEqual(Array.from(val.y), [1]);
  assert.deepEqual(Array.from(testSet.y), [0, 2]);
  assert.deepEqual(Array.from(train.biases[0]), [1, 0]);
  assert.equal(train.numClasses, 3);
  assert.deepEqual(train.biasClasses, [2]);
  assert.deepEqual(train.meta.classNames, ['bird', 'cat', 'dog']);
  assert.deepEqual(train.meta.biasNames, ['bias']);
  assert.deepEqual(train.meta.biasValueNames, [['blue', 'red']]);
  assert.deepEqual(train.meta.ignoredColumns, ['note']);
  assert.equal(train.meta.splitBy, 'column');
  // The 8×8 uniform JPEG decodes (near) exactly and is resized to 2×2.
  const expected = [40, 90, 200].flatMap((v) => Array(4).fill((v / 255 - 0.5) / 0.5));
  assertClose(val.x, expected, 0.02);
});

test('resizes bilinearly to options.size, converts to grey with PIL\'s luma, and defaults to the first image\'s size', () => {
  // 2×2 grey image (colour type 0): value(r, c) = 51·(2r + c), i.e. 0.4r + 0.2c after /255.
  const gray = pngBytes(2, 2, rgbaImage(2, 2, (r, c) => Array(3).fill(51 * (2 * r + c)) as [number, number, number]), 0);
  const red = pngBytes(1, 1, rgbaImage(1, 1, () => [255, 0, 0]));
  const big = pngBytes(4, 4, rgbaImage(4, 4, (r, c) => Array(3).fill(10 * (4 * r + c)) as [number, number, number]));
  const file = dataset('path,label,bias\ngray.png,0,0\nred.png,1,1\nbig.png,0,1\n', { 'gray.png': gray, 'red.png': red, 'big.png': big });
  const splitAll = { valFraction: 0, testFraction: 0, channels: 1 as const, ...identity };
  const up = readImageCsv(file, { ...splitAll, size: [4, 4] }).train;
  assert.deepEqual(up.dims, [1, 4, 4]);
  const p = [0, 0.25, 0.75, 1]; // sample positions of a 2 → 4 upscale (half-pixel centres, clamped)
  const expectedGray = p.flatMap((py) => p.map((px) => 0.4 * py + 0.2 * px));
  assertClose(up.x.subarray(0, 32), [...expectedGray, ...Array(16).fill(0.299)]);
  // Default size: the first row's image (2×2); the 4×4 image is halved, i.e. its 2×2 blocks averaged.
  const own = readImageCsv(file, splitAll).train;
  assert.deepEqual(own.dims, [1, 2, 2]);
  const blockMeans = [25, 45, 105, 125].map((v) => v / 255);
  assertClose(own.x.subarray(8, 12), blockMeans);
  assert.deepEqual(own.meta.imageSize, [2, 2]);
  assert.throws(() => readImageCsv(file, { ...splitAll, size: [0, 3] }), /data\.csv: options\.size: expected a positive integer or \[height, width\]/);
});

/** 40 rows, each with its own 1×1 image whose red value is the row index; label = i mod 2, bias = label except every 5th row. */
function fortyRows(extraColumn?: (i: number) => string): string {
  const files: Record<string, Buffer> = {};
  const lines = [`path,label,bias${extraColumn ? ',split' : ''}`];
  for (let i = 0; i < 40; i++) {
    files[`r${i}.png`] = pngBytes(1, 1, rgbaImage(1, 1, () => [i, 0, 0]));
    const label = i % 2;
    lines.push(`r${i}.png,${label},${i % 5 === 0 ? 1 - label : label}${extraColumn ? `,${extraColumn(i)}` : ''}`);
  }
  return dataset(lines.join('\n'), files);
}
const rowsOf = (x: Float32Array): number[] => Array.from({ length: x.length / 3 }, (_, i) => Math.round(x[3 * i] * 255));

test('without a split column, rows are split by seed, stratified, disjoint and reproducible', () => {
  const file = fortyRows();
  const first = readImageCsv(file, identity);
  const [train, val, testRows] = [first.train, first.val, first.test].map((d) => rowsOf(d.x));
  assert.deepEqual([train.length, val.length, testRows.length], [28, 4, 8]);
  assert.deepEqual([...train, ...val, ...testRows].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
  assert.deepEqual(Array.from(first.test.y), testRows.map((r) => r % 2), 'labels travel with their images');
  // Groups (y, b): (0,1) 4 rows, (1,0) 4, (0,0) 16, (1,1) 16; test (20%) takes 1, 1, 3 or 4, 3 or 4.
  const conflicting = testRows.filter((r) => r % 5 === 0).length;
  assert.equal(conflicting, 2);
  assert.deepEqual(first.train.meta.seed, 0);
  assert.equal(first.train.meta.splitBy, 'seed');
  const again = readImageCsv(file, identity);
  assert.deepEqual(rowsOf(again.test.x), testRows);
  assert.deepEqual(rowsOf(again.val.x), val);
  const other = readImageCsv(file, { ...identity, seed: 5 });
  assert.notDeepEqual(rowsOf(other.test.x), testRows);
  const halves = readImageCsv(file, { ...identity, valFraction: 0.25, testFraction: 0.25 });
  assert.deepEqual([halves.train.y.length, halves.val.y.length, halves.test.y.length], [20, 10, 10]);
});

test('a split column without val rows gets val carved out of train with the seed', () => {
  const file = fortyRows((i) => (i < 30 ? 'train' : 'Test'));
  const { train, val, test: testSet } = readImageCsv(file, { ...identity, valFraction: 0.2 });
  assert.deepEqual(rowsOf(testSet.x), Array.from({ length: 10 }, (_, i) => 30 + i));
  assert.equal(val.y.length, 6);
  assert.deepEqual([...rowsOf(train.x), ...rowsOf(val.x)].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
  assert.deepEqual(val.meta.val, { from: 'train', valFraction: 0.2, seed: 0 });
  assert.deepEqual(rowsOf(readImageCsv(file, { ...identity, valFraction: 0.2 }).val.x), rowsOf(val.x));
});

test('integer labels count max + 1 classes, or the given number, and negative labels are refused with the row', () => {
  const images = { 'a.png': png2(1), 'b.png': png2(2), 'c.png': png2(3) };
  const file = dataset('path,label,bias,bias2,split\na.png,0,0,3,train\nb.png,1,1,0,train\nb.png,4,1,0,val\nc.png,2,1,1,test\n', images);
  const { train } = readImageCsv(file);
  assert.equal(train.numClasses, 5);
  assert.deepEqual(train.biasClasses, [2, 4]);
  assert.deepEqual(train.meta.biasNames, ['bias', 'bias2']);
  assert.deepEqual(train.meta.classNames, null);
  assert.throws(() => readImageCsv(file, { numClasses: 4 }), /data\.csv: row 4: column "label": expected a label in \[0, 4\) \(4 classes given\), got 4/);
  const negative = dataset('path,label,bias\na.png,0,0\nb.png,-1,1\n', images);
  assert.throws(() => readImageCsv(negative), /data\.csv: row 3: column "label": expected a class index in \[0, 65536\), got -1/);
});

test('missing columns, empty labels, bad rows and constant biases are errors naming the file, row and column', () => {
  const images = { 'a.png': png2(1), 'b.png': png2(2) };
  assert.throws(() => readImageCsv(dataset('Path,Label\na.png,0\n', images)), (err: Error) => {
    assert.match(err.message, /data\.csv: row 1: missing column "bias": expected a header path,label,bias\[,bias2…\]\[,split\]; the header is: Path,Label$/);
    return true;
  });
  assert.throws(() => readImageCsv(dataset('file,label,bias\na.png,0,0\n', images)), /missing column "path".*the header is: file,label,bias/);
  assert.throws(() => readImageCsv(dataset('path,label,bias\na.png,0,0\nb.png,,1\n', images)), /data\.csv: row 3: column "label": expected a label, got an empty field/);
  assert.throws(() => readImageCsv(dataset('path,label,bias\na.png,0, \nb.png,1,1\n', images)), /data\.csv: row 2: column "bias": expected a label, got an empty field/);
  assert.throws(() => readImageCsv(dataset('path,label,bias\na.png,0,0\nb.png,1\n', images)), /data\.csv: row 3: expected 3 fields \(path,label,bias\), got 2/);
  assert.throws(() => readImageCsv(dataset('path,label,bias,split\na.png,0,0,train\nb.png,1,1,holdout\n', images)), /row 3: column "split": expected train, val or test, got "holdout"/);
  assert.throws(() => readImageCsv(dataset('path,label,bias,split\na.png,0,0,train\nb.png,1,1,val\n', images)), /column "split": expected at least one test row, got none/);
  assert.throws(() => readImageCsv(dataset('path,label,bias,bias\na.png,0,0,1\n', images)), /header: column "bias" appears twice/);
  assert.throws(() => readImageCsv(dataset('path,label,bias\n', images)), /expected at least one data row/);
  const constant = dataset('path,label,bias,bias2,split\na.png,0,0,red,train\nb.png,1,1,red,train\nb.png,1,1,blue,val\na.png,1,0,blue,test\n', images);
  assert.throws(() => readImageCsv(constant), /data\.csv: bias column "bias2": every training sample has the same value "red": BISE needs bias variation/);
});

test('paths that leave the CSV\'s folder are refused, links included', () => {
  const outside = join(base, 'outside.png');
  writeFileSync(outside, png2(5));
  const images = { 'a.png': png2(1), 'b.png': png2(2) };
  const up = dataset('path,label,bias\na.png,0,0\n../outside.png,1,1\n', images);
  assert.throws(() => readImageCsv(up), /data\.csv: row 3: column "path": "\.\.\/outside\.png" leads outside the CSV's folder/);
  const sneaky = dataset('path,label,bias\na.png,0,0\nsub/../../outside.png,1,1\n', images);
  assert.throws(() => readImageCsv(sneaky), /row 3: column "path": "sub\/\.\.\/\.\.\/outside\.png" leads outside/);
  const windows = dataset('path,label,bias\na.png,0,0\n..\\outside.png,1,1\n', images);
  assert.throws(() => readImageCsv(windows), /row 3: column "path": "\.\.\\outside\.png" leads outside/);
  const absolute = dataset(`path,label,bias\na.png,0,0\n${outside},1,1\n`, images);
  assert.throws(() => readImageCsv(absolute), /row 3: column "path": ".*outside\.png" is absolute: expected a path relative to the CSV's folder/);
  const drive = dataset('path,label,bias\na.png,0,0\nC:\\x.png,1,1\n', images);
  assert.throws(() => readImageCsv(drive), /row 3: column "path": "C:\\x\.png" is absolute/);
  const linked = dataset('path,label,bias\na.png,0,0\nlink.png,1,1\n', images);
  symlinkSync(outside, join(dirname(linked), 'link.png'));
  assert.throws(() => readImageCsv(linked, { valFraction: 0, testFraction: 0 }), /row 3: image "link\.png": ".*link\.png" is a link to .*outside\.png, outside the CSV's folder/);
  // A backslash path inside the folder works everywhere.
  const nested = dataset('path,label,bias\nsub\\a.png,0,0\nb.png,1,1\n', { 'sub/a.png': png2(1), 'b.png': png2(2) });
  assert.equal(readImageCsv(nested, { valFraction: 0, testFraction: 0 }).train.y.length, 2);
});

test('unreadable and corrupt images are named with their row', () => {
  const good = png2(1);
  const truncated = good.subarray(0, good.length - 20);
  const jpeg = jpegBytes(8, 8, rgbaImage(8, 8, () => [1, 2, 3]));
  const files = { 'a.png': good, 'cut.png': truncated, 'bad.jpg': jpeg.subarray(0, 200), 'notes.png': 'just text' };
  const csv = (second: string): string => dataset(`path,label,bias\na.png,0,0\n${second},1,1\n`, files);
  const opts = { valFraction: 0, testFraction: 0 };
  assert.throws(() => readImageCsv(csv('cut.png'), opts), /data\.csv: row 3: image "cut\.png": could not decode: PNG: the file ends early \(truncated\)/);
  assert.throws(() => readImageCsv(csv('bad.jpg'), opts), /data\.csv: row 3: image "bad\.jpg": could not decode: JPEG: /);
  assert.throws(() => readImageCsv(csv('notes.png'), opts), /row 3: image "notes\.png": could not decode: expected a PNG or JPEG image, got a file starting with 6a 75 73 74/);
  assert.throws(() => readImageCsv(csv('gone.png'), opts), /row 3: image "gone\.png": could not read the file \(ENOENT/);
  assert.throws(() => readImageCsv(csv('a.png'), { ...opts, maxImagePixels: 3 }), /row 2: image "a\.png": could not decode: PNG: 2×2 pixels is more than the limit of 3/);
  assert.throws(() => readImageCsv(join(base, 'no.csv')), /no\.csv: could not read the CSV file/);
});
