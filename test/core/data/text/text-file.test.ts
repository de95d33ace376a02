import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../../../support/fixtures';
import { readTextFile } from '../../../../src/core/data/text/text-file';
import { loadTextTokenizer } from '../../../../src/core/data/text/text-tokenizer';

const WORDPIECE = join(FIXTURES, 'text', 'wordpiece');
const tokenizer = loadTextTokenizer(WORDPIECE);
const base = mkdtempSync(join(tmpdir(), 'bise-text-file-'));
test.after(() => rmSync(base, { recursive: true, force: true }));
let cases = 0;

/** A fresh file with `content`; returns its path. */
function file(name: string, content: string): string {
  const dir = join(base, `case-${cases++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

/** Ten rows with text, label, bias and split columns in the given order. */
function rows(header: string, make: (i: number) => string[]): string {
  return [header, ...Array.from({ length: 10 }, (_, i) => make(i).join(','))].join('\n');
}
const splitOf = (i: number): string => (i < 6 ? 'train' : i < 8 ? 'val' : 'test');

test('finds text/label/bias*/split by name, in any order and case, and keeps other columns out', () => {
  const csv = rows(' Split ,note,BIAS_gender,Text,Label,bias_age', (i) => [splitOf(i), 'x', String(i % 2), `the cat ${i}`, String(i % 3), String((i >> 1) % 2)]);
  const { train, val, test: testSet } = readTextFile(file('data.csv', csv), { tokenizer });
  assert.deepEqual([train.y.length, val.y.length, testSet.y.length], [6, 2, 2]);
  assert.deepEqual(Array.from(train.y), [0, 1, 2, 0, 1, 2]);
  assert.deepEqual(train.meta.biasNames, ['bias_gender', 'bias_age']);
  assert.deepEqual(Array.from(train.biases[1]), [0, 0, 1, 1, 0, 0]);
  assert.deepEqual(train.meta.ignoredColumns, ['note']);
  assert.equal(train.meta.textColumn, 'text');
  assert.equal(train.meta.splitBy, 'column');
  assert.equal(train.numClasses, 3);
  // "the cat 7": [CLS] the cat 7 [SEP]; every text has 5 tokens here.
  assert.equal(train.sequenceLength, 5);
});

test('a column mapping picks the text, target and bias columns by the names the user chose', () => {
  const csv = rows('comment_text,toxicity,female,male,label', (i) => [`text ${i}`, i % 2 ? 'toxic' : 'ok', String(i % 2), String((i + 1) % 3 === 0 ? 1 : 0), '7']);
  const { train, val, test: testSet } = readTextFile(file('c.csv', csv), { tokenizer, columns: { text: 'Comment_Text', target: 'toxicity', bias: ['female', 'male'] }, seed: 3 });
  assert.equal(train.y.length + val.y.length + testSet.y.length, 10);
  assert.deepEqual(train.meta.classNames, ['ok', 'toxic']);
  assert.deepEqual(train.meta.biasNames, ['female', 'male']);
  assert.deepEqual(train.meta.ignoredColumns, ['label']);
  assert.equal(train.meta.splitBy, 'seed');
  // Seeded splits are stable.
  const again = readTextFile(file('c.csv', csv), { tokenizer, columns: { text: 'comment_text', target: 'toxicity', bias: ['female', 'male'] }, seed: 3 });
  assert.deepEqual(Array.from(again.train.inputIds), Array.from(train.inputIds));
});

test('column errors name the file, the missing column and the role it was chosen for', () => {
  const path = file('m.csv', rows('body,label,bias', (i) => [`t${i}`, String(i % 2), String(i % 2)]));
  assert.throws(() => readTextFile(path, { tokenizer }), (err: Error) => err.message.includes(path) && err.message.includes('missing column "text": expected columns text,label,bias') && err.message.includes('the columns are: body,label,bias'));
  assert.throws(() => readTextFile(path, { tokenizer, columns: { text: 'body', target: 'toxic' } }), /missing column "toxic": it was chosen as the target column/);
  assert.throws(() => readTextFile(path, { tokenizer, columns: { text: 'body', bias: ['label'] } }), /column "label" is chosen as both the target and the bias column/);
  assert.throws(() => readTextFile(path, { tokenizer, columns: { text: 'body', bias: [] } }), /names no bias column/);
});

test('bad rows name the file and the line: field count, empty label, bad split, a bias without variation', () => {
  const good = (i: number) => [`text ${i}`, String(i % 2), String(i % 2)];
  const withRow = (bad: string) => {
    const lines = rows('text,label,bias', good).split('\n');
    lines.splice(4, 0, bad); // the fifth line
    return lines.join('\n');
  };
  const fields = file('f.csv', withRow('only,two'));
  assert.throws(() => readTextFile(fields, { tokenizer }), (err: Error) => err.message.startsWith(`${fields}: row 5: expected 3 fields (text,label,bias), got 2`));
  const empty = file('e.csv', withRow('some text, ,1'));
  assert.throws(() => readTextFile(empty, { tokenizer }), (err: Error) => err.message.startsWith(`${empty}: row 5: column "label": expected a label, got an empty field`));
  // A quoted text over two lines: the next row's errors still point at the line it starts on.
  const multiline = file('q.csv', withRow('"two\nlines",1,0\ntext,-1,0'));
  assert.throws(() => readTextFile(multiline, { tokenizer }), (err: Error) => err.message.startsWith(`${multiline}: row 7: column "label": expected a class index`));
  const split = file('s.csv', ['text,label,bias,split', 'a,0,0,train', 'b,1,1,tset', 'c,0,1,test'].join('\n'));
  assert.throws(() => readTextFile(split, { tokenizer }), (err: Error) => err.message.startsWith(`${split}: row 3: column "split": expected train, val or test, got "tset"`));
  const flat = file('v.csv', rows('text,label,bias', (i) => [`t${i}`, String(i % 2), '1']));
  assert.throws(() => readTextFile(flat, { tokenizer }), /bias column "bias": every training sample has the same value 1/);
});

test('JSON Lines: keys are columns, numbers and booleans are labels, and bad lines are named', () => {
  const objects = Array.from({ length: 10 }, (_, i) => JSON.stringify({ text: `the dog ${i}`, label: i % 2 === 0, bias: i % 3 === 0 ? 1 : 0, split: splitOf(i) }));
  const good = file('d.jsonl', `\uFEFF${objects.join('\r\n')}\r\n\r\n`);
  const { train } = readTextFile(good, { tokenizer });
  assert.equal(train.meta.format, 'text-jsonl');
  assert.deepEqual(Array.from(train.y), [1, 0, 1, 0, 1, 0]);
  assert.deepEqual(Array.from(train.biases[0]), [1, 0, 0, 1, 0, 0]);
  const withLine = (bad: string) => [...objects.slice(0, 3), bad, ...objects.slice(3)].join('\n');
  const cases: [string, RegExp][] = [
    ['{"text": "a", "label": 1,}', /: row 4: expected one JSON object per line: /],
    ['[1, 2]', /: row 4: expected one JSON object per line \(\{"text": …, "label": …\}\), got an array/],
    ['{"text": "a", "bias": 0, "split": "train"}', /: row 4: column "label": expected a label, got none \(the key is missing or null\)/],
    ['{"text": null, "label": 0, "bias": 0, "split": "train"}', /: row 4: column "text": expected a text, got none/],
    ['{"text": "a", "label": {"v": 1}, "bias": 0, "split": "train"}', /: row 4: key "label": expected a string, number or boolean, got an object/],
  ];
  for (const [bad, message] of cases) {
    const path = file('bad.jsonl', withLine(bad));
    assert.throws(() => readTextFile(path, { tokenizer }), (err: Error) => err.message.startsWith(path) && message.test(err.message), bad);
  }
  assert.throws(() => readTextFile(file('x.txt', 'text'), { tokenizer }), /expected a \.csv, \.jsonl or \.ndjson file/);
});

test('maxLength caps the length and keeps the end token; the pad token and side come from the tokenizer files', () => {
  const csv = rows('text,label,bias', (i) => [i === 0 ? 'the cat sat on the mat and the dog sat on the cat' : 'the cat', String(i % 2), String(i % 2)]);
  const path = file('l.csv', csv);
  const capped = readTextFile(path, { tokenizer, maxLength: 6, valFraction: 0, testFraction: 0.5 });
  const all = [capped.train, capped.test];
  assert.ok(all.every((d) => d.sequenceLength === 6));
  const vocab = tokenizer.tokenizer.get_vocab();
  const sep = BigInt(vocab.get('[SEP]') as number);
  // The long text keeps [SEP] at its last position; the short ones are padded with [PAD] = 0 after their [SEP].
  const long = all.find((d) => d.attentionMask.slice(0, 6).every((m) => m === 1n) && d.inputIds[5] === sep);
  assert.ok(long, 'a row of six real tokens that ends in [SEP]');
  assert.equal(capped.train.meta.truncatedTexts, 1);
  assert.throws(() => readTextFile(path, { tokenizer, maxLength: 1 }), /maxLength 1 leaves no room for the 2 special tokens/);
  assert.throws(() => readTextFile(path, { tokenizer, maxLength: 2.5 }), /maxLength: expected a positive integer, got 2.5/);

  // A model folder whose config pads on the left with [MASK] (to tell it from [PAD]).
  const dir = join(base, `case-${cases++}`);
  mkdirSync(dir);
  copyFileSync(join(WORDPIECE, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ pad_token: { content: '[MASK]', __type: 'AddedToken' }, padding_side: 'left' }));
  const left = readTextFile(path, { tokenizer: dir, valFraction: 0, testFraction: 0.5 });
  const L = left.train.sequenceLength;
  const rowsOf = (d: typeof left.train, tensor: 'inputIds' | 'attentionMask') => Array.from({ length: d.y.length }, (_, i) => Array.from(d[tensor].subarray(i * L, (i + 1) * L)));
  const ids = [...rowsOf(left.train, 'inputIds'), ...rowsOf(left.test, 'inputIds')];
  const masks = [...rowsOf(left.train, 'attentionMask'), ...rowsOf(left.test, 'attentionMask')];
  const cls = BigInt(vocab.get('[CLS]') as number);
  const mask = BigInt(vocab.get('[MASK]') as number);
  // Nine rows of "[CLS] the cat [SEP]", padded in front with the config's pad token, mask 0 there.
  const short = ids.map((r, i) => ({ r, m: masks[i] })).filter(({ r }) => r[0] === mask);
  assert.equal(short.length, 9);
  for (const { r, m } of short) {
    assert.deepEqual([r[L - 4], r[L - 1]], [cls, sep]);
    assert.deepEqual(m, [...Array(L - 4).fill(0n), 1n, 1n, 1n, 1n]);
  }
  assert.equal(left.train.meta.padTokenFrom, join(dir, 'tokenizer_config.json'));
  assert.equal(left.train.meta.maxLengthFrom, 'none');

  writeFileSync(join(dir, 'tokenizer_config.json'), '{}');
  assert.throws(() => readTextFile(path, { tokenizer: dir }), /no pad token: expected "pad_token" in/);
  assert.throws(() => readTextFile(path, { tokenizer: join(base, 'nowhere') }), /nowhere: missing: expected the model's tokenizer.json/);
});
