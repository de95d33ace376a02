/**
 * The workspace scan's text datasets (src/host/text-datasets.ts through detectDatasets): CSV and JSON Lines files of
 * texts with their columns suggested, folders of pre-tokenised ids (runnable with their mask and labels), while image
 * lists stay image lists and tables without prose are not offered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectWorkspaceDatasets } from '../../src/host/datasets';
import { looksLikeTextTable, readJsonlHead, suggestTextColumns } from '../../src/host/text-datasets';

const TEXT = path.join(__dirname, '..', 'fixtures', 'text');

function workspace(): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-text-ws-'));
  fs.mkdirSync(path.join(ws, 'data', 'tokens'), { recursive: true });
  fs.mkdirSync(path.join(ws, 'data', 'half'), { recursive: true });
  fs.copyFileSync(path.join(TEXT, 'comments.csv'), path.join(ws, 'data', 'comments.csv'));
  fs.copyFileSync(path.join(TEXT, 'comments.jsonl'), path.join(ws, 'data', 'comments.jsonl'));
  fs.writeFileSync(path.join(ws, 'data', 'images.csv'), 'path,label,bias\na.png,0,1\n');
  fs.writeFileSync(path.join(ws, 'data', 'results.csv'), 'model,accuracy,seed\nresnet,0.9,1\n');
  for (const f of ['input_ids.npy', 'attention_mask.npy', 'labels.csv']) fs.writeFileSync(path.join(ws, 'data', 'tokens', f), '');
  fs.writeFileSync(path.join(ws, 'data', 'half', 'input_ids.npy'), '');
  return ws;
}

test('the scan offers the fixture texts (CSV and JSON Lines) with their columns suggested, and token folders', () => {
  const found = detectWorkspaceDatasets(workspace());
  const byId = new Map(found.map((d) => [d.option.id, d.option]));
  assert.deepEqual([...byId.keys()].sort(), ['csv:data/images.csv', 'text:data/comments.csv', 'text:data/comments.jsonl', 'tokens:data/half', 'tokens:data/tokens']);
  for (const id of ['text:data/comments.csv', 'text:data/comments.jsonl']) {
    const o = byId.get(id)!;
    assert.equal(o.kind, 'text-file');
    assert.ok(o.supported);
    assert.deepEqual(o.text?.columns, ['comment_text', 'toxic', 'identity', 'split']);
    assert.deepEqual(o.text?.suggested, { text: 'comment_text', target: 'toxic', bias: ['identity'] });
    assert.match(o.detail, /split column/);
  }
  assert.equal(byId.get('tokens:data/tokens')?.supported, true);
  const half = byId.get('tokens:data/half')!;
  assert.equal(half.supported, false);
  assert.match(half.reason ?? '', /missing attention_mask\.npy, labels\.csv \(or y\.npy and b\.npy\)/);
});

test('a text column is found by name or by prose in the first row; targets and biases as for image CSVs', () => {
  const byProse = { columns: ['a', 'b', 'c'], firstRow: ['1', 'the cat sat on the mat', 'x'] };
  assert.ok(looksLikeTextTable(byProse));
  assert.deepEqual(suggestTextColumns(byProse), { text: 'b', target: 'a', bias: ['c'] });
  const named = { columns: ['label', 'gender', 'review_text'], firstRow: ['1', 'f', 'ok'] };
  assert.deepEqual(suggestTextColumns(named), { text: 'review_text', target: 'label', bias: ['gender'] });
  // Numbers only, or too few columns for text, target and bias: not texts.
  assert.equal(looksLikeTextTable({ columns: ['model', 'accuracy', 'seed'], firstRow: ['resnet', '0.9', '1'] }), false);
  assert.equal(looksLikeTextTable({ columns: ['text', 'label'], firstRow: ['a b c d', '1'] }), false);
});

test('JSON Lines heads are the keys in order of first appearance; a file that is not JSON Lines gives none', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-jsonl-'));
  const good = path.join(dir, 'a.jsonl');
  fs.writeFileSync(good, '\uFEFF{"text": "hello there you", "label": 1}\n\n{"label": 0, "group": "x", "text": null}\n');
  assert.deepEqual(readJsonlHead(good), { columns: ['text', 'label', 'group'], firstRow: ['hello there you', '1', ''] });
  const bad = path.join(dir, 'b.jsonl');
  fs.writeFileSync(bad, '[1, 2]\n');
  assert.equal(readJsonlHead(bad), null);
  fs.writeFileSync(bad, 'not json\n');
  assert.equal(readJsonlHead(bad), null);
});
