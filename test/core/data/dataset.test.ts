import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InMemoryDataset,
  batchIndices,
  countGroups,
  gatherBatch,
  groupCounts,
  groupFrequencies,
  iterateBatches,
  subsetDataset,
  validateDataset,
} from '../../../src/core/data/dataset';
import { DatasetError } from '../../../src/core/data/errors';

/** 7 samples of 1×1×2: sample i holds [i, −i]. */
function tiny(): InMemoryDataset {
  const n = 7;
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) x.set([i, -i], 2 * i);
  return validateDataset({
    name: 'tiny',
    x,
    dims: [1, 1, 2],
    y: Int32Array.from([0, 1, 2, 0, 1, 2, 0]),
    biases: [Int32Array.from([0, 1, 1, 0, 0, 1, 1])],
    numClasses: 3,
    biasClasses: [2],
    meta: {},
  });
}

test('batch indices cover every row once, seeded, with and without dropLast', () => {
  const ordered = batchIndices(7, { batchSize: 3 });
  assert.deepEqual(ordered.map((b) => Array.from(b)), [[0, 1, 2], [3, 4, 5], [6]]);
  const shuffled = batchIndices(7, { batchSize: 3, seed: 11 });
  assert.deepEqual(shuffled.flatMap((b) => Array.from(b)).sort(), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(shuffled, batchIndices(7, { batchSize: 3, seed: 11 }));
  assert.notDeepEqual(batchIndices(100, { batchSize: 10, seed: 11 }), batchIndices(100, { batchSize: 10, seed: 12 }));
  assert.deepEqual(batchIndices(7, { batchSize: 3, dropLast: true }).map((b) => b.length), [3, 3]);
  assert.throws(() => batchIndices(7, { batchSize: 0 }), /batchSize/);
});

test('a gathered batch is contiguous NCHW with its labels', () => {
  const batch = gatherBatch(tiny(), Int32Array.from([5, 0, 3]));
  assert.deepEqual(Array.from(batch.x), [5, -5, 0, -0, 3, -3]);
  assert.deepEqual(Array.from(batch.y), [2, 0, 0]);
  assert.deepEqual(Array.from(batch.biases[0]), [1, 0, 0]);
  assert.throws(() => gatherBatch(tiny(), Int32Array.from([7])), (e: unknown) => e instanceof DatasetError && /tiny: batch index.*\[0, 7\).*got 7/.test(e.message));
  const all = [...iterateBatches(tiny(), { batchSize: 4, seed: 1 })];
  assert.deepEqual(all.map((b) => b.y.length), [4, 3]);
});

test('subsets copy rows and record their parent', () => {
  const ds = tiny();
  const sub = subsetDataset(ds, Int32Array.from([6, 2]), 'sub');
  assert.deepEqual(Array.from(sub.x), [6, -6, 2, -2]);
  assert.deepEqual(Array.from(sub.y), [0, 2]);
  assert.equal(sub.meta.parent, 'tiny');
  sub.x[0] = 100;
  assert.equal(ds.x[12], 6, 'the parent is untouched');
});

test('group counts p(y, b)', () => {
  const g = groupCounts(tiny());
  // y=0: b 0,0,1; y=1: b 1,0; y=2: b 1,1
  assert.deepEqual(Array.from(g.counts), [2, 1, 1, 1, 0, 2]);
  assert.equal(g.total, 7);
  assert.deepEqual(Array.from(groupFrequencies(g)), [2 / 7, 1 / 7, 1 / 7, 1 / 7, 0, 2 / 7]);
  assert.throws(() => countGroups(Int32Array.from([0]), Int32Array.from([2]), 3, 2, 'f.csv'), /f\.csv: row 0: .*b=2/);
  assert.throws(() => groupCounts(tiny(), 1), /1 bias attribute/);
});

test('validation names the dataset, the row and what was expected', () => {
  const ds = tiny();
  assert.throws(() => validateDataset({ ...ds, y: Int32Array.from([0, 1, 2, 0, 1, 3, 0]) }), /tiny: row 5: y: expected a label in \[0, 3\), got 3/);
  assert.throws(() => validateDataset({ ...ds, x: new Float32Array(3) }), /tiny: x: expected 7×1×1×2 = 14 values/);
  assert.throws(() => validateDataset({ ...ds, biasClasses: [] }), /one entry of biasClasses per bias attribute/);
});
