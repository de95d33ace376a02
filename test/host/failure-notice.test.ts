/** The failure notification keeps the message and a few useful log lines, never V8's traces or stack frames. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureNotice } from '../../src/host/failure-notice';

test('V8 GC trace lines (even cut mid-line by stderr) and stack frames stay out of the notification', () => {
  const log = [
    '[info] extract: epoch 3',
    ' of marking 15 ms) (average mu = 0.409, current mu = 0.449) finaliz[19575:0x14642df0]      982 ms: Mark-Compact (reduce) 41.0 (41.8) -> 38.7 (40.4) MB',
    '[19575:0x14642df0]     1017 ms: Scavenge 39.7 (40.4) -> 39.7 (41.4) MB',
    '    at Object.<anonymous> (/x/y.js:1:1)',
    ' 1: 0xb7c2a0 node::Abort() [node]',
    'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
  ];
  const { text } = failureNotice('the BISE worker ran out of memory', log);
  assert.match(text, /^BISE failed: the BISE worker ran out of memory — last log lines: \[info\] extract: epoch 3 \| FATAL ERROR: Reached heap limit/);
  assert.ok(!/0x[0-9a-f]{6}|Mark-Compact|Scavenge|\bat Object/.test(text), text);
});

test('a failure without a message still says where to look', () => {
  assert.match(failureNotice('  ', []).text, /failed without a message \(see the log\)/);
});
