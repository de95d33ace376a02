import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseIdx, readMnistIdx } from '../../../src/core/data/idx';

/** An IDX ubyte file: 00 00 08 rank, big-endian dims, data. */
function idxBytes(dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, Buffer.from(data)]);
}

const dir = mkdtempSync(join(tmpdir(), 'bise-idx-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// Three 2×3 images and their labels.
const pixels = [0, 255, 0, 51, 0, 0, /**/ 1, 2, 3, 4, 5, 6, /**/ 255, 255, 255, 0, 0, 0];
const labels = [7, 0, 9];

test('reads idx3 images and idx1 labels, plain and gzipped', () => {
  const images = join(dir, 'images-idx3-ubyte');
  const labelFile = join(dir, 'labels-idx1-ubyte.gz');
  writeFileSync(images, idxBytes([3, 2, 3], pixels));
  writeFileSync(labelFile, gzipSync(idxBytes([3], labels)));
  const digits = readMnistIdx(images, labelFile);
  assert.equal(digits.count, 3);
  assert.equal(digits.height, 2);
  assert.equal(digits.width, 3);
  assert.deepEqual(Array.from(digits.labels), labels);
  assert.deepEqual(Array.from(digits.pixels), pixels.map((v) => Math.fround(v / 255)));
});

test('bad magic, unsupported types, wrong sizes and mismatched files are named', () => {
  assert.throws(() => parseIdx(Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), 'x.zip'), /x\.zip: bad IDX magic 50 4b 03 04: expected it to start with 00 00/);
  assert.throws(() => parseIdx(Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'f.idx'), /f\.idx: bad IDX magic 00 00 0d 01: expected element type 08 \(ubyte\), got float32/);
  assert.throws(() => parseIdx(idxBytes([2, 2], [1, 2, 3]), 'short.idx'), /short\.idx: expected 2×2 = 4 data bytes after the 12-byte header, got 3/);
  assert.throws(() => parseIdx(Buffer.from([0, 0, 8, 3, 0, 0]), 'cut.idx'), /cut\.idx: expected 3 dimension sizes/);
  assert.throws(() => parseIdx(Buffer.from([0x1f, 0x8b, 1, 2, 3]), 'broken.gz'), /broken\.gz: looks gzipped/);
  const images = join(dir, 'i3');
  const fewLabels = join(dir, 'l2');
  const badLabels = join(dir, 'l3');
  writeFileSync(images, idxBytes([3, 2, 3], pixels));
  writeFileSync(fewLabels, idxBytes([2], [1, 2]));
  writeFileSync(badLabels, idxBytes([3], [1, 12, 2]));
  assert.throws(() => readMnistIdx(images, fewLabels), /l2: expected 3 labels to match .*i3, got 2/);
  assert.throws(() => readMnistIdx(images, badLabels), /row 1: expected a digit label 0…9, got 12/);
  assert.throws(() => readMnistIdx(fewLabels, fewLabels), /expected an idx3 image file/);
  assert.throws(() => readMnistIdx(join(dir, 'missing'), fewLabels), /missing: could not read the IDX file/);
});
