import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTokenNpyFolder } from '../../../../src/core/data/text/token-npy-folder';
import { NpyWriteOptions, npyBytes } from '../../../support/npy-writer';

const base = mkdtempSync(join(tmpdir(), 'bise-token-npy-'));
test.after(() => rmSync(base, { recursive: true, force: true }));
let folders = 0;

type Files = Record<string, NpyWriteOptions | string | undefined>;

/** A fresh folder holding the given files (.npy arrays or text); undefined entries are left out. */
function folder(files: Files): string {
  const dir = join(base, `case-${folders++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    if (content !== undefined) writeFileSync(join(dir, name), typeof content === 'string' ? content : npyBytes(content));
  }
  return dir;
}

const N = 10;
const WIDTH = 6;
/** Row i has 2 + (i % 3) tokens: [101, 1000 + i, …, 102], right-padded with 0 to WIDTH (the last two columns unused). */
const lengthOf = (i: number) => 2 + (i % 3);
const grid = (f: (row: number, col: number) => number) => Array.from({ length: N * WIDTH }, (_, k) => f(Math.floor(k / WIDTH), k % WIDTH));
const ids = grid((r, c) => (c >= lengthOf(r) ? 0 : c === 0 ? 101 : c === lengthOf(r) - 1 ? 102 : 1000 + r));
const mask = grid((r, c) => (c < lengthOf(r) ? 1 : 0));
const i8 = (data: number[]): NpyWriteOptions => ({ descr: '<i8', shape: [N, WIDTH], data: data.map(BigInt) });
const labelsCsv = ['label,bias,split', ...Array.from({ length: N }, (_, i) => `${i % 2 ? 'toxic' : 'ok'},${i % 3 === 0 ? 1 : 0},${i < 6 ? 'train' : i < 8 ? 'val' : 'test'}`)].join('\n');

function good(): Files {
  return { 'input_ids.npy': i8(ids), 'attention_mask.npy': { descr: '|b1', shape: [N, WIDTH], data: mask }, 'labels.csv': labelsCsv };
}

test('reads ids and mask as int64, drops unused padding columns, fills token_type_ids with zeros, labels from labels.csv', () => {
  const { train, val, test: testSet } = readTokenNpyFolder(folder(good()));
  assert.equal(train.sequenceLength, 4);
  assert.deepEqual([train.y.length, val.y.length, testSet.y.length], [6, 2, 2]);
  assert.deepEqual(Array.from(train.inputIds.subarray(0, 8), Number), [101, 102, 0, 0, 101, 1001, 102, 0]);
  assert.deepEqual(Array.from(train.attentionMask.subarray(0, 8), Number), [1, 1, 0, 0, 1, 1, 1, 0]);
  assert.ok(train.tokenTypeIds.every((v) => v === 0n));
  assert.deepEqual(Array.from(testSet.inputIds.subarray(0, 4), Number), [101, 1008, 1008, 102]);
  assert.deepEqual(Array.from(train.y), [0, 1, 0, 1, 0, 1]);
  assert.deepEqual(train.meta.classNames, ['ok', 'toxic']);
  assert.deepEqual(Array.from(train.biases[0]), [1, 0, 0, 1, 0, 0]);
  assert.equal(train.meta.tokenTypeIds, 'zeros');
  assert.equal(train.meta.droppedPaddingColumns, 2);
});

test('y.npy and b.npy instead of labels.csv, token_type_ids.npy of i4, split by seed', () => {
  const files = good();
  delete files['labels.csv'];
  files['y.npy'] = { descr: '<i8', shape: [N], data: Array.from({ length: N }, (_, i) => BigInt(i % 2)) };
  files['b.npy'] = { descr: '|u1', shape: [N, 2], data: Array.from({ length: 2 * N }, (_, k) => (k % 2 === 0 ? Math.floor(k / 2) % 2 : Math.floor(k / 4) % 2)) };
  files['token_type_ids.npy'] = { descr: '<i4', shape: [N, WIDTH], data: grid((_, c) => (c === 1 ? 1 : 0)) };
  const { train, val, test: testSet } = readTokenNpyFolder(folder(files), { seed: 1, valFraction: 0.2, testFraction: 0.2 });
  assert.deepEqual([train.y.length, val.y.length, testSet.y.length], [6, 2, 2]);
  assert.equal(train.biases.length, 2);
  assert.deepEqual(train.biasClasses, [2, 2]);
  assert.deepEqual(train.meta.biasNames, ['b[:, 0]', 'b[:, 1]']);
  assert.equal(train.meta.splitBy, 'seed');
  assert.ok(Array.from(train.tokenTypeIds.subarray(0, 4), Number).join() === '0,1,0,0');
});

test('bad folders name the file and, for values, the row: shape, dtype, mask values, label sources, maxLength', () => {
  const dir = (change: (files: Files) => void) => {
    const files = good();
    change(files);
    return folder(files);
  };
  const cases: [(files: Files) => void, RegExp][] = [
    [(f) => delete f['attention_mask.npy'], /attention_mask\.npy: missing: expected the attention mask/],
    [(f) => (f['attention_mask.npy'] = { descr: '<i8', shape: [N, WIDTH - 1], data: Array(N * (WIDTH - 1)).fill(1n) }), /attention_mask\.npy: expected the shape of input_ids\.npy, \(10, 6\), got \(10, 5\)/],
    [(f) => (f['input_ids.npy'] = { descr: '<f4', shape: [N, WIDTH], data: ids }), /input_ids\.npy: expected integers .* got dtype f4/],
    [(f) => (f['input_ids.npy'] = { descr: '<i8', shape: [N * WIDTH], data: ids.map(BigInt) }), /input_ids\.npy: expected shape \(N, L\)/],
    [(f) => (f['attention_mask.npy'] = i8(mask.map((m, k) => (k === 3 * WIDTH + 1 ? 2 : m)))), /attention_mask\.npy: row 3: expected 0 or 1, got 2 at position 1/],
    [(f) => (f['input_ids.npy'] = i8(ids.map((v, k) => (k === 2 * WIDTH ? -5 : v)))), /input_ids\.npy: row 2: token ids: expected values ≥ 0, got -5/],
    [(f) => (f['y.npy'] = { descr: '<i8', shape: [N], data: Array(N).fill(0n) }), /found both labels\.csv and y\.npy\/b\.npy/],
    [(f) => (f['labels.csv'] = labelsCsv.split('\n').slice(0, -1).join('\n')), /labels\.csv: expected one data row per row of input_ids\.npy \(10\), got 9/],
    [(f) => (f['labels.csv'] = labelsCsv.replace('toxic,0,val', 'toxic,,val')), /labels\.csv: row 9: column "bias": expected a label, got an empty field/],
    [(f) => delete f['labels.csv'], /y\.npy: missing: expected the target labels .* or labels\.csv/],
  ];
  for (const [change, message] of cases) assert.throws(() => readTokenNpyFolder(dir(change)), message, String(message));
  assert.throws(() => readTokenNpyFolder(folder(good()), { maxLength: 3 }), /rows hold up to 4 tokens, more than maxLength 3: tokenise again with truncation=True, max_length=3/);
  assert.throws(() => readTokenNpyFolder(join(base, 'absent')), /absent: expected a folder holding input_ids\.npy/);
});
