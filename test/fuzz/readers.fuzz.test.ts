/**
 * Bounded, seeded mutation fuzzing of the readers a hostile file meets first: the ONNX reader with the model
 * analysis after it (and, for small models, gradient-graph building and pruning), the .npy reader with the label and image checks, and the image-CSV reader with its
 * images. Every input must be accepted or refused with a typed user error; none may hang (per-input limit,
 * enforced from outside the process) or grow memory past a bound (declared sizes are checked before anything
 * is allocated). A failure prints the input's index and mutation; the same seed reproduces it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FuzzReport, runFuzz } from './run-fuzz';

/** Generous for a loaded 2-core CI machine; the inputs take milliseconds. */
const PER_INPUT_MS = 3000;
const SEED = 20261125;

function assertClean(r: FuzzReport, count: number): void {
  const bugs = r.bugs.slice(0, 3).map((b) => `input ${b.index} (${b.what}):\n${b.error}`).join('\n\n');
  assert.equal(r.hang, null, `input ${r.hang?.index} ran past ${PER_INPUT_MS} ms: ${r.hang?.what}`);
  assert.equal(r.bugs.length, 0, `${r.bugs.length} inputs ended in something other than a typed user error:\n${bugs}`);
  assert.equal(r.inputs, count);
  assert.ok(r.slowest.ms < PER_INPUT_MS, `slowest input ${r.slowest.index}: ${r.slowest.ms} ms`);
  // Not vacuous: the mutations produce both inputs the reader accepts and inputs it refuses.
  assert.ok(r.accepted > 0 && r.refused > 0, `accepted ${r.accepted}, refused ${r.refused}`);
}

for (const [target, count] of [
  ['onnx', 6000],
  ['npy', 6000],
  ['csv', 4000],
] as const) {
  test(`fuzz ${target}: ${count} mutated inputs, typed errors only, no hang, bounded memory`, async () => {
    const r = await runFuzz({ target, seed: SEED, count, perInputMs: PER_INPUT_MS });
    assertClean(r, count);
  });
}

test('the harness stops a hanging input and names it', async () => {
  const r = await runFuzz({ target: 'selftest-hang', seed: 1, count: 5, perInputMs: 300 });
  assert.equal(r.hang?.index, 0);
  assert.match(r.hang?.what ?? '', /^hang #/);
});

test('the harness reports a TypeError, and a typed error that only wraps a RangeError', async () => {
  for (const target of ['selftest-type-error', 'selftest-wrapped-range-error']) {
    const r = await runFuzz({ target, seed: 1, count: 3, perInputMs: PER_INPUT_MS });
    assert.equal(r.bugs.length, 3, target);
    assert.match(r.bugs[0].error, target === 'selftest-type-error' ? /TypeError/ : /RangeError: Invalid typed array length/);
  }
});
