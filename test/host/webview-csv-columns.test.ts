/** The form's CSV column dropdowns (webview/csv-columns.ts): offered from the header, pre-selected, errors beside them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCsvColumns, shownCsvColumns } from '../../webview/csv-columns';
import { renderForm } from '../../webview/render';
import { BUILTIN_DATASETS } from '../../src/host/datasets';
import { defaultForm } from '../../src/host/form';
import type { DatasetOption, SetupView } from '../../src/protocol';

const csv: DatasetOption = {
  id: 'csv:faces/list.csv',
  kind: 'image-csv',
  label: 'faces/list.csv (image list)',
  detail: 'faces/list.csv',
  supported: true,
  reason: null,
  csv: { columns: ['fname', 'smiling', 'gender', '<age>'], suggested: { path: 'fname', target: 'smiling', bias: ['gender'] } },
};
const form = { ...defaultForm(), dataset: csv.id };

const selected = (html: string, role: string): string[] => {
  const select = new RegExp(`data-csv="${role}"[^>]*>(.*?)</vscode-(single|multi)-select>`).exec(html);
  assert.ok(select, role);
  return [...select[1].matchAll(/<vscode-option value="([^"]*)" selected>/g)].map((m) => m[1]);
};

test('an image CSV gets image path, target and bias dropdowns listing its columns, pre-selected by the suggestion', () => {
  const html = renderCsvColumns(csv, form, [], false);
  assert.equal((html.match(/<vscode-option /g) ?? []).length, 3 * 4, 'every column in each dropdown');
  assert.deepEqual(selected(html, 'path'), ['fname']);
  assert.deepEqual(selected(html, 'target'), ['smiling']);
  assert.deepEqual(selected(html, 'bias'), ['gender']);
  assert.match(html, /<vscode-multi-select id="f-csv-bias" data-csv="bias">/);
  assert.match(html, /chosen: <span id="csv-bias-chosen">gender<\/span>/, 'the multi-select shows only a count, so the names are listed');
  assert.match(html, /value="&lt;age&gt;"/);
  assert.ok(!html.includes('<age>'));
  assert.ok(!/\sstyle=/.test(html));
});

test('the user’s choice is shown when it fits the header; a stale one falls back to the suggestion', () => {
  const mine = { ...form, csvColumns: { path: 'FNAME', target: 'gender', bias: ['smiling', '<age>'] } };
  const html = renderCsvColumns(csv, mine, [], false);
  assert.deepEqual(selected(html, 'path'), ['fname']);
  assert.deepEqual(selected(html, 'target'), ['gender']);
  assert.deepEqual(selected(html, 'bias'), ['smiling', '&lt;age&gt;']);
  const stale = { ...form, csvColumns: { path: 'file', target: 'label', bias: ['bias'] } };
  assert.deepEqual(shownCsvColumns(csv, stale), csv.csv!.suggested);
});

test('in the form: only for an image CSV, with its errors beside the dropdowns, disabled while running', () => {
  const setup: SetupView = {
    modelPath: '/ws/net.onnx',
    modelName: 'net.onnx',
    model: null,
    modelError: null,
    datasets: [...BUILTIN_DATASETS.map((d) => d.option), csv],
    providers: ['cpu'],
    form,
    savedChoice: null,
    busy: false,
    trusted: true,
  };
  assert.ok(!renderForm(setup, defaultForm(), [], false).includes('data-csv='), 'no column dropdowns for BiasedMNIST');
  const html = renderForm(setup, form, [{ field: 'csvColumns', message: 'Image path column: faces/list.csv has no column "x"' }], false);
  assert.match(html, /data-csv="path"/);
  assert.match(html, /<div class="field-error" role="alert">Image path column: faces\/list\.csv has no column &quot;x&quot;<\/div>/);
  assert.match(renderForm(setup, form, [], true), /<vscode-single-select id="f-csv-path" data-csv="path" disabled>/);
  assert.equal(renderCsvColumns({ ...csv, csv: undefined }, form, [], false), '');
});
