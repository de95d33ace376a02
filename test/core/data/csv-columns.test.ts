/** Column mapping of image-list CSVs (src/core/data/csv-columns.ts, and readImageCsv with options.columns). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCsvColumns } from '../../../src/core/data/csv-columns';
import { readImageCsv } from '../../../src/core/data/image-csv';
import { pngBytes, rgbaImage } from '../../support/images';

const header = (text: string) => ({ fields: text.split(','), line: 1 });

test('without a mapping, columns are found by name: path, label, bias*, split; the rest is ignored', () => {
  const c = findCsvColumns(header('Path,label,note,bias,bias_2,split'), 'd.csv');
  assert.deepEqual([c.path, c.label, c.split], [0, 1, 5]);
  assert.deepEqual(c.biases, [{ name: 'bias', index: 3 }, { name: 'bias_2', index: 4 }]);
  assert.deepEqual(c.ignored, ['note']);
});

test('a mapping picks the image path, target and bias columns by name, trimmed and case-insensitively', () => {
  const c = findCsvColumns(header('file, Digit ,colour,bias,split,extra'), 'd.csv', { path: 'FILE', target: 'digit', bias: ['Colour'] });
  assert.deepEqual([c.path, c.label, c.split], [0, 1, 4]);
  assert.deepEqual(c.biases, [{ name: 'colour', index: 2 }]);
  assert.deepEqual(c.ignored, ['bias', 'extra'], 'an unmapped bias* column is ignored, not used');
  // Parts left out are found by name.
  const partial = findCsvColumns(header('img,label,bias'), 'd.csv', { path: 'img' });
  assert.deepEqual([partial.path, partial.label, partial.biases[0].index], [0, 1, 2]);
  // A split column mapped to a role is that role, not the split.
  const splitAsBias = findCsvColumns(header('p,y,split'), 'd.csv', { path: 'p', target: 'y', bias: ['split'] });
  assert.equal(splitAsBias.split, undefined);
});

test('errors name the CSV file, the missing column and the role it was chosen for, and the header as it is', () => {
  assert.throws(() => findCsvColumns(header('file,digit,colour'), '/data/d.csv', { path: 'image', target: 'digit', bias: ['colour'] }), (e: Error) => {
    assert.equal(e.message, '/data/d.csv: row 1: missing column "image": it was chosen as the image path column; the header is: file,digit,colour');
    return true;
  });
  assert.throws(() => findCsvColumns(header('file,digit,colour'), 'd.csv', { path: 'file', target: 'class', bias: ['colour'] }), /missing column "class": it was chosen as the target column/);
  assert.throws(() => findCsvColumns(header('file,digit,colour'), 'd.csv', { path: 'file', target: 'digit', bias: ['colour', 'shape'] }), /missing column "shape": it was chosen as the bias column/);
  assert.throws(() => findCsvColumns(header('file,digit,colour'), 'd.csv', { path: 'file', target: 'digit', bias: [] }), /d\.csv: row 1: the column mapping names no bias column/);
  assert.throws(() => findCsvColumns(header('file,digit,colour'), 'd.csv', { path: 'file', target: 'digit', bias: ['digit'] }), /column "digit" is chosen as both the target and the bias column/);
  assert.throws(() => findCsvColumns(header('file,digit,colour'), 'd.csv', { path: 'file', target: 'file', bias: ['colour'] }), /column "file" is chosen as both the image path and the target column/);
  assert.throws(() => findCsvColumns(header('file,label,bias'), 'd.csv'), /missing column "path": expected a header path,label,bias/);
});

test('readImageCsv reads a CSV with its own column names through the mapping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bise-csv-columns-'));
  try {
    mkdirSync(join(dir, 'img'));
    const rows = ['file,digit,colour,source'];
    for (let i = 0; i < 8; i++) {
      writeFileSync(join(dir, 'img', `${i}.png`), pngBytes(2, 2, rgbaImage(2, 2, () => [i * 20, 0, 0])));
      rows.push(`img/${i}.png,${i % 2 ? 'seven' : 'one'},${i % 4 < 2 ? 'red' : 'green'},scan`);
    }
    writeFileSync(join(dir, 'list.csv'), `${rows.join('\n')}\n`);
    const s = readImageCsv(join(dir, 'list.csv'), { columns: { path: 'file', target: 'digit', bias: ['colour'] }, valFraction: 0, testFraction: 0 });
    assert.equal(s.train.y.length, 8);
    assert.deepEqual(s.train.meta.classNames, ['one', 'seven']);
    assert.deepEqual(s.train.meta.biasNames, ['colour']);
    assert.deepEqual(s.train.meta.ignoredColumns, ['source']);
    assert.throws(() => readImageCsv(join(dir, 'list.csv')), /list\.csv: row 1: missing column "path": expected a header path,label,bias/);
    assert.throws(() => readImageCsv(join(dir, 'list.csv'), { columns: { path: 'file', target: 'label', bias: ['colour'] } }), /list\.csv: row 1: missing column "label": it was chosen as the target column; the header is: file,digit,colour,source/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
