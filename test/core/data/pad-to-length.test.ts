/** Widening tokenised texts to a fixed model's sequence length (data/text/pad-to-length.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { padToLength, padValuesOf } from '../../../src/core/data/text/pad-to-length';
import { TextDataset, validateTextDataset } from '../../../src/core/data/text/text-dataset';

/** Two rows of length 3; `rows` as [ids, mask, types] per row. */
function dataset(rows: readonly (readonly [number[], number[], number[]])[], meta: TextDataset['meta'] = {}): TextDataset {
  const flat = (k: 0 | 1 | 2): BigInt64Array => BigInt64Array.from(rows.flatMap((r) => r[k].map(BigInt)));
  return validateTextDataset({
    name: 't',
    inputIds: flat(0),
    attentionMask: flat(1),
    tokenTypeIds: flat(2),
    sequenceLength: rows[0][0].length,
    y: Int32Array.from(rows.map((_, i) => i % 2)),
    biases: [Int32Array.from(rows.map(() => 0))],
    numClasses: 2,
    biasClasses: [1],
    meta,
  });
}

test('right-padded texts get the pad id, mask 0 and pad segment id at the end, the rest unchanged', () => {
  const d = dataset([
    [[101, 7, 102], [1, 1, 1], [0, 0, 0]],
    [[101, 102, 3], [1, 1, 0], [0, 0, 1]],
  ]);
  assert.deepEqual(padValuesOf(d), { padId: 3n, padTypeId: 1n, side: 'right' });
  const p = padToLength(d, 5);
  assert.equal(p.sequenceLength, 5);
  assert.deepEqual(Array.from(p.inputIds, Number), [101, 7, 102, 3, 3, 101, 102, 3, 3, 3]);
  assert.deepEqual(Array.from(p.attentionMask, Number), [1, 1, 1, 0, 0, 1, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(p.tokenTypeIds, Number), [0, 0, 0, 1, 1, 0, 0, 1, 1, 1]);
  assert.equal(p.meta.paddedFrom, 3);
  assert.deepEqual(p.y, d.y);
  validateTextDataset(p);
});

test('left-padded texts (the first padded row ends with a real token) are widened on the left', () => {
  const d = dataset([
    [[9, 101, 102], [0, 1, 1], [0, 0, 0]],
    [[101, 5, 102], [1, 1, 1], [0, 0, 0]],
  ]);
  assert.deepEqual(padValuesOf(d), { padId: 9n, padTypeId: 0n, side: 'left' });
  const p = padToLength(d, 4);
  assert.deepEqual(Array.from(p.inputIds, Number), [9, 9, 101, 102, 9, 101, 5, 102]);
  assert.deepEqual(Array.from(p.attentionMask, Number), [0, 0, 1, 1, 0, 1, 1, 1]);
});

test('with no padded row the tokenizer recorded in the metadata gives the pad id and side; without one, id 0 on the right', () => {
  const rows: [number[], number[], number[]][] = [[[1, 2], [1, 1], [0, 0]]];
  assert.deepEqual(padValuesOf(dataset(rows, { padId: 4, paddingSide: 'left' })), { padId: 4n, padTypeId: 0n, side: 'left' });
  assert.deepEqual(padValuesOf(dataset(rows)), { padId: 0n, padTypeId: 0n, side: 'right' });
});

test('the same length is a no-op and a shorter one is refused', () => {
  const d = dataset([[[1, 2], [1, 1], [0, 0]]]);
  assert.equal(padToLength(d, 2), d);
  assert.throws(() => padToLength(d, 1), /cannot pad texts of 2 tokens to 1/);
});
