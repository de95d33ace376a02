import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../../../support/fixtures';
import { encodeText, loadTextTokenizer } from '../../../../src/core/data/text/text-tokenizer';
import { padTokenBatch } from '../../../../src/core/data/text/token-batch';

const BPE = join(FIXTURES, 'text', 'bytelevel-bpe');
const where = { file: 'texts.csv', line: 2 };

test('padding to the longest: pad id, mask 0 and the pad segment id on the padding side', () => {
  const texts = [
    { ids: [5, 6, 7], typeIds: [0, 0, 1], truncated: false },
    { ids: [8], typeIds: [0], truncated: false },
  ];
  const right = padTokenBatch(texts, { padId: 9, padTypeId: 3, side: 'right' }, 'texts');
  assert.equal(right.sequenceLength, 3);
  assert.deepEqual(Array.from(right.inputIds, Number), [5, 6, 7, 8, 9, 9]);
  assert.deepEqual(Array.from(right.attentionMask, Number), [1, 1, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(right.tokenTypeIds, Number), [0, 0, 1, 0, 3, 3]);
  const left = padTokenBatch(texts, { padId: 9, padTypeId: 0, side: 'left' }, 'texts');
  assert.deepEqual(Array.from(left.inputIds, Number), [5, 6, 7, 9, 9, 8]);
  assert.deepEqual(Array.from(left.attentionMask, Number), [1, 1, 1, 0, 0, 1]);
  assert.throws(() => padTokenBatch([{ ids: [], typeIds: [], truncated: false }], { padId: 0, padTypeId: 0, side: 'right' }, 'texts'), /texts: every text is empty/);
});

test('truncation cuts the text, never the special tokens: <s> … </s> stay, as with truncation=True', () => {
  const tokenizer = loadTextTokenizer(BPE);
  const id = (token: string) => tokenizer.tokenizer.token_to_id(token) as number;
  assert.deepEqual([tokenizer.padId, tokenizer.specialTokens], [id('<pad>'), 2]);
  const full = encodeText(tokenizer, 'the cat sat on the mat', undefined, where).ids;
  assert.equal(full.length, 13); // <s> the Ġ cat Ġ sat Ġ on Ġ the Ġ mat </s>, by the fixture's merges
  assert.deepEqual([full[0], full[1], full[12]], [id('<s>'), id('the'), id('</s>')]);
  const cut = encodeText(tokenizer, 'the cat sat on the mat', 4, where);
  assert.deepEqual(cut.ids, [...full.slice(0, 3), id('</s>')]);
  assert.equal(cut.truncated, true);
  assert.deepEqual(encodeText(tokenizer, 'the cat sat on the mat', 2, where).ids, [id('<s>'), id('</s>')]);
  assert.deepEqual(encodeText(tokenizer, 'the cat', 5, where), { ids: full.slice(0, 4).concat(id('</s>')), typeIds: [0, 0, 0, 0, 0], truncated: false });
});

test("tokenizer.json's own padding settings give the pad token, its segment id and side when no config names one", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bise-token-batch-'));
  try {
    const json = JSON.parse(readFileSync(join(BPE, 'tokenizer.json'), 'utf8'));
    json.padding = { strategy: 'BatchLongest', direction: 'Left', pad_to_multiple_of: null, pad_id: 3, pad_type_id: 1, pad_token: '<unk>' };
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'tokenizer.json'), JSON.stringify(json));
    const tokenizer = loadTextTokenizer(join(dir, 'model', 'tokenizer.json'));
    assert.deepEqual([tokenizer.padToken, tokenizer.padId, tokenizer.padTypeId, tokenizer.paddingSide], ['<unk>', 3, 1, 'left']);
    assert.equal(tokenizer.modelMaxLength, undefined);
    const given = loadTextTokenizer(join(dir, 'model'), { padToken: '<pad>' });
    assert.deepEqual([given.padId, given.padSource], [1, 'options.padToken']);
    assert.throws(() => loadTextTokenizer(join(dir, 'model'), { padToken: '[PAD]' }), /options\.padToken: the pad token "\[PAD\]" is not in the vocabulary of /);
    writeFileSync(join(dir, 'model', 'tokenizer.json'), '{"model": ');
    assert.throws(() => loadTextTokenizer(join(dir, 'model')), /tokenizer\.json: expected the model's tokenizer\.json .* as JSON: /);
    writeFileSync(join(dir, 'model', 'tokenizer.json'), JSON.stringify({ ...json, model: { type: 'Mystery' } }));
    assert.throws(() => loadTextTokenizer(join(dir, 'model')), /tokenizer\.json: could not build the tokenizer: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
