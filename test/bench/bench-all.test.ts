/** `npm run bench` (bench/all.ts) hands each flag to the script that knows it, shared ones to both. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitBenchArgs } from '../../bench/all';

test('shared flags go to both scripts, the others to theirs; unknown flags are refused', () => {
  assert.deepEqual(splitBenchArgs(['--repeats', '5', '--no-direct', '--only', 'step,train', '--no-torch', '--pruned', '0,0.5']), {
    step: ['--repeats', '5', '--no-direct', '--pruned', '0,0.5'],
    scale: ['--repeats', '5', '--only', 'step,train', '--no-torch'],
  });
  assert.deepEqual(splitBenchArgs([]), { step: [], scale: [] });
  assert.throws(() => splitBenchArgs(['--bogus', '1']), /unknown flag --bogus/);
});
