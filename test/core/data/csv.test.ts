import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, parseCsvBytes } from '../../../src/core/data/csv';

const fieldsOf = (text: string): string[][] => parseCsv(text, 't.csv').map((r) => [...r.fields]);

test('splits plain records on commas and LF or CRLF, skipping a BOM and empty lines', () => {
  assert.deepEqual(fieldsOf('\uFEFFpath,label\r\na.png,1\r\n\r\nb.png,2\n'), [['path', 'label'], ['a.png', '1'], ['b.png', '2']]);
  assert.deepEqual(fieldsOf('a,,c,\nd,e,f,g'), [['a', '', 'c', ''], ['d', 'e', 'f', 'g']]);
  assert.deepEqual(parseCsvBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x78, 0x2c, 0x79]), 'b.csv').map((r) => r.fields), [['x', 'y']]);
});

test('quoted fields keep commas, doubled quotes and line breaks; records keep the line they start on', () => {
  const records = parseCsv('path,label\n"img, 1.png","say ""cat"""\n"two\r\nlines.png",dog\r\nlast.png,""\n', 't.csv');
  assert.deepEqual(records.map((r) => [...r.fields]), [['path', 'label'], ['img, 1.png', 'say "cat"'], ['two\r\nlines.png', 'dog'], ['last.png', '']]);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 3, 5]);
});

test('malformed quoting and non-UTF-8 bytes are errors naming the file and line', () => {
  assert.throws(() => parseCsv('a,b\n"open,1\n2,3\n', 'q.csv'), /q\.csv: line 2: a quoted field is never closed/);
  assert.throws(() => parseCsv('a,b\n"x"y,1\n', 'q.csv'), /q\.csv: line 2: unexpected "y" after a closing quote/);
  assert.throws(() => parseCsv('a,b\n1,2\nx"y,1\n', 'q.csv'), /q\.csv: line 3: a quote inside an unquoted field/);
  assert.throws(() => parseCsvBytes(new Uint8Array([0x61, 0xff, 0x0a]), 'bin.csv'), /bin\.csv: expected a UTF-8 text file/);
});
