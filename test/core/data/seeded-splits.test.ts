import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jointGroups, splitByFractions } from '../../../src/core/data/seeded-splits';

test('joint groups number distinct (target, bias) tuples in order of appearance', () => {
  const { groups, count } = jointGroups([Int32Array.from([0, 1, 0, 1, 0]), Int32Array.from([0, 0, 0, 1, 1])]);
  assert.deepEqual(Array.from(groups), [0, 1, 0, 2, 3]);
  assert.equal(count, 4);
});

test('fraction splits are disjoint, cover every row, stratified by group and fixed by the seed', () => {
  const labels = Int32Array.from({ length: 200 }, (_, i) => (i < 150 ? 0 : i < 190 ? 1 : 2)); // 150 / 40 / 10
  const groups = jointGroups([labels]);
  const split = splitByFractions(groups, { val: 0.1, test: 0.2 }, 7, 'rows');
  assert.deepEqual([split.train.length, split.val.length, split.test.length], [140, 20, 40]);
  const all = [...split.train, ...split.val, ...split.test].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 200 }, (_, i) => i));
  const count = (rows: Int32Array, cls: number): number => Array.from(rows).filter((r) => labels[r] === cls).length;
  assert.deepEqual([0, 1, 2].map((c) => count(split.test, c)), [30, 8, 2]);
  assert.deepEqual([0, 1, 2].map((c) => count(split.val, c)), [15, 4, 1]);
  assert.deepEqual(splitByFractions(groups, { val: 0.1, test: 0.2 }, 7, 'rows'), split);
  assert.notDeepEqual(splitByFractions(groups, { val: 0.1, test: 0.2 }, 8, 'rows').test, split.test);
  assert.throws(() => splitByFractions(jointGroups([Int32Array.from([0, 1, 0])]), { val: 0.1, test: 0 }, 1, 'tiny.csv'), /tiny\.csv: valFraction 0\.1 of 3 rows gives an empty val split/);
  assert.throws(() => splitByFractions(groups, { val: 0.5, test: 0.5 }, 1, 'rows'), /leave no training rows/);
});
