/** The form's CSV column choice (src/host/csv-columns.ts): bounded header read, image-list rule, suggestions, checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { csvChoiceProblems, looksLikeImageList, readCsvHead, suggestCsvColumns } from '../../src/host/csv-columns';
import { detectWorkspaceDatasets } from '../../src/host/datasets';
import { choiceFitsHeader } from '../../src/protocol/jobs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-csv-head-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

test('reads the header (case kept, quotes and BOM removed) and the first row, never more than the byte limit', () => {
  assert.deepEqual(readCsvHead(csv('a.csv', '\uFEFF"File Name", Digit ,colour\r\nimg/0.png,7,red\r\nimg/1.png,1,green\r\n')), {
    columns: ['File Name', 'Digit', 'colour'],
    firstRow: ['img/0.png', '7', 'red'],
  });
  assert.deepEqual(readCsvHead(csv('h.csv', 'path,label,bias\n')), { columns: ['path', 'label', 'bias'], firstRow: null });
  // A large file: only the head is read, and a record cut by the limit is dropped.
  const big = csv('big.csv', `file,label,group\n${'x/a-very-long-image-name.png,1,0\n'.repeat(20_000)}`);
  const head = readCsvHead(big, 100);
  assert.deepEqual(head, { columns: ['file', 'label', 'group'], firstRow: ['x/a-very-long-image-name.png', '1', '0'] });
  assert.equal(readCsvHead(path.join(dir, 'missing.csv')), null);
  assert.equal(readCsvHead(csv('quote.csv', '"unterminated,a\n')), null, 'a CSV that does not parse is not offered');
});

test('an image list: the default header, or three or more columns with an image file in the first row', () => {
  assert.ok(looksLikeImageList({ columns: ['Path', 'Label', 'bias'], firstRow: null }));
  assert.ok(looksLikeImageList({ columns: ['file', 'digit', 'colour'], firstRow: ['a/b.JPG', '1', 'red'] }));
  assert.ok(!looksLikeImageList({ columns: ['file', 'digit'], firstRow: ['a.png', '1'] }), 'no room for a bias column');
  assert.ok(!looksLikeImageList({ columns: ['a', 'b', 'c'], firstRow: ['1', '2', '3'] }));
  assert.ok(!looksLikeImageList({ columns: ['a', 'b', 'c'], firstRow: null }));
});

test('suggestions by name: path/label/bias…, else an image-file column, a target-like and an attribute-like name; roles never share', () => {
  assert.deepEqual(suggestCsvColumns({ columns: ['path', 'label', 'bias', 'bias2', 'split'], firstRow: null }), { path: 'path', target: 'label', bias: ['bias', 'bias2'] });
  assert.deepEqual(suggestCsvColumns({ columns: ['id', 'Image', 'Target', 'Background Colour'], firstRow: ['7', 'i/7.png', '1', 'red'] }), { path: 'Image', target: 'Target', bias: ['Background Colour'] });
  assert.deepEqual(suggestCsvColumns({ columns: ['split', 'fname', 'smiling', 'gender'], firstRow: ['train', 'x.jpg', '1', 'f'] }), { path: 'fname', target: 'smiling', bias: ['gender'] });
  assert.deepEqual(suggestCsvColumns({ columns: ['a', 'b', 'c'], firstRow: ['1', 'p.png', '0'] }), { path: 'b', target: 'a', bias: ['c'] });
  const s = suggestCsvColumns({ columns: ['img', 'class_id', 'group'], firstRow: null });
  assert.deepEqual(s, { path: 'img', target: 'class_id', bias: ['group'] });
});

test('the user’s choice is checked against the header: unknown columns named with the CSV, shared roles, no bias', () => {
  const columns = ['file', 'digit', 'colour'];
  assert.deepEqual(csvChoiceProblems({ path: 'file', target: 'digit', bias: ['Colour'] }, columns, 'data/list.csv'), []);
  assert.deepEqual(csvChoiceProblems({ path: 'image', target: 'digit', bias: ['colour'] }, columns, 'data/list.csv'), [
    'Image path column: data/list.csv has no column "image" (its columns: file, digit, colour); choose one of those',
  ]);
  assert.deepEqual(csvChoiceProblems({ path: 'file', target: 'digit', bias: [] }, columns, 'l.csv'), ['Bias column: choose at least one column of l.csv (file, digit, colour)']);
  assert.deepEqual(csvChoiceProblems({ path: 'file', target: 'file', bias: ['colour'] }, columns, 'l.csv'), [
    'Column "file" of l.csv is chosen as both the image path and the target column; each role needs its own column',
  ]);
  assert.ok(choiceFitsHeader({ path: 'FILE', target: 'digit', bias: ['colour'] }, columns));
  assert.ok(!choiceFitsHeader({ path: 'file', target: 'label', bias: ['colour'] }, columns));
  assert.ok(!choiceFitsHeader({ path: 'file', target: 'digit', bias: [] }, columns));
  assert.ok(!choiceFitsHeader(undefined, columns));
});

test('detection offers a CSV with its own column names, with its header and suggested columns', () => {
  const root = path.join(dir, 'ws');
  csv('ws/faces/list.csv', 'fname,smiling,gender\nimg/0.jpg,1,f\n');
  csv('ws/notes.csv', 'a,b,c\n1,2,3\n');
  const found = detectWorkspaceDatasets(root);
  assert.deepEqual(found.map((d) => d.option.id), ['csv:faces/list.csv']);
  assert.deepEqual(found[0].option.csv, { columns: ['fname', 'smiling', 'gender'], suggested: { path: 'fname', target: 'smiling', bias: ['gender'] } });
});
