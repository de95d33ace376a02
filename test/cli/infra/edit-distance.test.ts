/** The distance behind "did you mean …?": typos are close, unrelated words are not suggested. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestMatch, editDistance } from '../../../src/cli/infra/edit-distance';

test('insertions, deletions, substitutions and adjacent swaps each cost one edit', () => {
  assert.equal(editDistance('rho', 'rho'), 0);
  assert.equal(editDistance('rho', 'rhoo'), 1);
  assert.equal(editDistance('epochs', 'epoch'), 1);
  assert.equal(editDistance('cuda', 'cpda'), 1);
  assert.equal(editDistance('cuda', 'cdua'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('closestMatch prefers a prefix, tolerates about one typo per three letters, and otherwise stays quiet', () => {
  assert.equal(closestMatch('--epoch', ['--epochs', '--lr']), '--epochs');
  assert.equal(closestMatch('--lamda', ['--lambda', '--lr']), '--lambda');
  assert.equal(closestMatch('GPU', ['cpu', 'cuda']), 'cpu');
  assert.equal(closestMatch('--xyz', ['--rho', '--lr']), undefined);
  assert.equal(closestMatch('x', []), undefined);
});
