// The pure-JavaScript tokenisation against Hugging Face's Rust tokenizers: the ids, masks and segment ids that
// `tokenizer(texts, truncation=True, max_length=…, padding='longest')` gives, as scripts/make-text-fixtures.mjs
// recorded them from the Rust library (npm `tokenizers`, a native addon used there only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../../../support/fixtures';
import { encodeText, loadTextTokenizer } from '../../../../src/core/data/text/text-tokenizer';
import { padTokenBatch } from '../../../../src/core/data/text/token-batch';
import { readTextFile } from '../../../../src/core/data/text/text-file';
import type { TextDataset } from '../../../../src/core/data/text/text-dataset';

const TEXT = join(FIXTURES, 'text');

interface ReferenceBatch {
  readonly maxLength: number | null;
  readonly input_ids: number[][];
  readonly attention_mask: number[][];
  readonly token_type_ids: number[][];
}
interface Reference {
  readonly sentences: string[];
  readonly tokenizers: Record<string, { padToken: string; batches: ReferenceBatch[] }>;
}
const reference = JSON.parse(readFileSync(join(TEXT, 'expected-ids.json'), 'utf8')) as Reference;

/** Row i of an [N, L] tensor as numbers. */
const row = (tensor: BigInt64Array, length: number, i: number): number[] => Array.from(tensor.subarray(i * length, (i + 1) * length), Number);

for (const name of ['wordpiece', 'bytelevel-bpe']) {
  test(`${name}: ids, masks and segment ids match Hugging Face's Rust tokenizers, uncapped and capped at 9`, () => {
    const tokenizer = loadTextTokenizer(join(TEXT, name));
    assert.equal(tokenizer.padToken, reference.tokenizers[name].padToken);
    for (const batch of reference.tokenizers[name].batches) {
      const encoded = reference.sentences.map((text, line) => encodeText(tokenizer, text, batch.maxLength ?? undefined, { file: 'sentences', line }));
      const tensors = padTokenBatch(encoded, { padId: tokenizer.padId, padTypeId: tokenizer.padTypeId, side: tokenizer.paddingSide }, 'sentences');
      assert.equal(tensors.sequenceLength, batch.input_ids[0].length, `maxLength ${batch.maxLength}`);
      reference.sentences.forEach((text, i) => {
        const what = `maxLength ${batch.maxLength}, ${JSON.stringify(text)}`;
        assert.deepEqual(row(tensors.inputIds, tensors.sequenceLength, i), batch.input_ids[i], what);
        assert.deepEqual(row(tensors.attentionMask, tensors.sequenceLength, i), batch.attention_mask[i], what);
        assert.deepEqual(row(tensors.tokenTypeIds, tensors.sequenceLength, i), batch.token_type_ids[i], what);
      });
    }
  });
}

/** The reference rows of the fixture datasets' splits (rows 0–8 train, 9–10 val, 11–12 test). */
const SPLIT_ROWS = { train: [0, 1, 2, 3, 4, 5, 6, 7, 8], val: [9, 10], test: [11, 12] } as const;

function assertSplitsMatch(splits: Record<'train' | 'val' | 'test', TextDataset>, batch: ReferenceBatch): void {
  for (const split of ['train', 'val', 'test'] as const) {
    const dataset = splits[split];
    assert.equal(dataset.sequenceLength, batch.input_ids[0].length);
    SPLIT_ROWS[split].forEach((source, i) => {
      assert.deepEqual(row(dataset.inputIds, dataset.sequenceLength, i), batch.input_ids[source], `${split} row ${i}`);
      assert.deepEqual(row(dataset.attentionMask, dataset.sequenceLength, i), batch.attention_mask[source]);
    });
  }
}

test('the CSV and the JSONL of the same sentences read into the reference ids, labels and splits', () => {
  const [uncapped, capped] = reference.tokenizers.wordpiece.batches;
  const tokenizer = loadTextTokenizer(join(TEXT, 'wordpiece', 'tokenizer.json'));
  const columns = { text: 'comment_text', target: 'toxic', bias: ['identity'] };
  const csv = readTextFile(join(TEXT, 'comments.csv'), { tokenizer, columns });
  assertSplitsMatch(csv, uncapped);
  assert.equal(csv.train.meta.maxLengthFrom, 'tokenizer_config.json');
  assert.equal(csv.train.meta.maxLength, 512);
  const jsonl = readTextFile(join(TEXT, 'comments.jsonl'), { tokenizer, columns, maxLength: 9 });
  assertSplitsMatch(jsonl, capped);
  assert.equal(jsonl.train.meta.truncatedTexts, reference.sentences.filter((_, i) => uncapped.attention_mask[i].filter((m) => m === 1).length > 9).length);
  // CSV 0/1 and JSON false/true give the same codes; identity names are numbered in sorted order.
  for (const split of ['train', 'val', 'test'] as const) {
    assert.deepEqual(Array.from(jsonl[split].y), Array.from(csv[split].y));
    assert.deepEqual(Array.from(jsonl[split].biases[0]), Array.from(csv[split].biases[0]));
  }
  assert.deepEqual(Array.from(csv.train.y), [1, 0, 1, 0, 1, 0, 1, 0, 1]);
  assert.deepEqual(Array.from(csv.train.biases[0]), [0, 1, 2, 0, 1, 2, 0, 1, 2]);
  assert.deepEqual(csv.train.meta.biasValueNames, [['female', 'male', 'none']]);
  assert.deepEqual(jsonl.train.meta.classNames, ['false', 'true']);
});
