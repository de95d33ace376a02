/** The run registry (one run per model), report locations, the saved form choice, nonces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunRegistry, modelKey } from '../../src/host/run-registry';
import { DEFAULT_REPORTS_FOLDER, exportFolder, runFolder, safeSegment } from '../../src/host/report-location';
import { loadSavedChoice, saveChoice, savedChoicePath } from '../../src/host/saved-choice';
import { defaultForm } from '../../src/host/form';
import { makeNonce } from '../../src/host/nonce';

test('a second run on the same model is refused until the first is released', () => {
  const runs = new RunRegistry<string>('linux');
  const first = runs.begin('/ws/m.onnx', 'a', new Date(2026, 0, 1, 12, 3));
  assert.ok(first.ok);
  const second = runs.begin('/ws/./m.onnx', 'b');
  assert.deepEqual(second, { ok: false, message: 'BISE is already running on m.onnx (started at 12:03); cancel that run or wait for it to finish before starting another' });
  assert.ok(runs.begin('/ws/other.onnx', 'c').ok, 'another model may run at the same time');
  assert.equal(runs.get('/ws/m.onnx')?.handle, 'a');
  assert.equal(runs.active().length, 2);
  if (first.ok) {
    first.release();
    first.release();
  }
  assert.ok(!runs.isRunning('/ws/m.onnx'));
  assert.ok(runs.begin('/ws/m.onnx', 'd').ok);
});

test('model paths differing only in case are one model on Windows and macOS', () => {
  assert.equal(modelKey('/WS/M.onnx', 'darwin'), modelKey('/ws/m.onnx', 'darwin'));
  assert.notEqual(modelKey('/WS/M.onnx', 'linux'), modelKey('/ws/m.onnx', 'linux'));
  const runs = new RunRegistry<number>('darwin');
  assert.ok(runs.begin('/ws/M.onnx', 1).ok);
  assert.ok(!runs.begin('/ws/m.onnx', 2).ok);
});

test('export folder: bise.reportsFolder inside the workspace folder, default bise-reports/<model>', () => {
  assert.equal(DEFAULT_REPORTS_FOLDER, 'bise-reports');
  assert.equal(exportFolder('/ws', undefined, '/ws/models/net.onnx'), path.resolve('/ws/bise-reports/net'));
  assert.equal(exportFolder('/ws', '  ', '/elsewhere/net.onnx'), path.resolve('/ws/bise-reports/net'));
  assert.equal(exportFolder('/ws', 'docs/audits', '/ws/net.onnx'), path.resolve('/ws/docs/audits/net'));
  assert.equal(exportFolder('/ws', '/ws/out', '/ws/net.onnx'), path.resolve('/ws/out/net'));
  assert.throws(() => exportFolder('/ws', '../outside', '/ws/net.onnx'), /bise\.reportsFolder \('\.\.\/outside'\) points outside the workspace folder .*; use a folder inside it, e.g\. 'bise-reports'/);
  assert.throws(() => exportFolder('/ws', '/tmp/x', '/ws/net.onnx'), /points outside the workspace folder/);
  assert.equal(safeSegment('..a:b'), '_a_b');
  assert.equal(runFolder('/store', '/ws/net.onnx', new Date('2026-03-01T12:34:56.789Z')), path.join('/store', 'runs', 'net-20260301T123456Z'));
});

test('the form choice is saved as <model>.bise.json and read back; a broken file is reported, not fatal', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-choice-'));
  const model = path.join(dir, 'net.onnx');
  assert.equal(savedChoicePath(model), path.join(dir, 'net.bise.json'));
  assert.deepEqual(loadSavedChoice(model), { kind: 'none' });
  const form = { ...defaultForm(), rho: '0.995', probe: false };
  assert.equal(saveChoice(model, form), path.join(dir, 'net.bise.json'));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'net.bise.json'), 'utf8')).schema, 'bise-form');
  assert.deepEqual(loadSavedChoice(model), { kind: 'loaded', file: path.join(dir, 'net.bise.json'), form });
  assert.deepEqual(fs.readdirSync(dir), ['net.bise.json'], 'no temporary file left');
  fs.writeFileSync(path.join(dir, 'net.bise.json'), JSON.stringify({ schema: 'bise-form', version: 1, form: { ...form, rho: 1 } }));
  const bad = loadSavedChoice(model);
  assert.equal(bad.kind, 'invalid');
  if (bad.kind === 'invalid') assert.match(bad.problem, /^form\.rho: expected a string/);
  fs.writeFileSync(path.join(dir, 'net.bise.json'), '{');
  const broken = loadSavedChoice(model);
  assert.ok(broken.kind === 'invalid' && /not valid JSON/.test(broken.problem));
});

test('the saved choice keeps an image CSV’s column mapping; one saved before the mapping existed still loads', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-choice-'));
  const model = path.join(dir, 'net.onnx');
  const form = { ...defaultForm(), dataset: 'csv:faces/list.csv', csvColumns: { path: 'fname', target: 'smiling', bias: ['gender', 'age'] } };
  saveChoice(model, form);
  assert.deepEqual(JSON.parse(fs.readFileSync(savedChoicePath(model), 'utf8')).form.csvColumns, { path: 'fname', target: 'smiling', bias: ['gender', 'age'] });
  assert.deepEqual(loadSavedChoice(model), { kind: 'loaded', file: savedChoicePath(model), form });
  const { csvColumns: _, ...older } = form;
  fs.writeFileSync(savedChoicePath(model), JSON.stringify({ schema: 'bise-form', version: 1, form: older }));
  assert.deepEqual(loadSavedChoice(model), { kind: 'loaded', file: savedChoicePath(model), form: older });
  fs.writeFileSync(savedChoicePath(model), JSON.stringify({ schema: 'bise-form', version: 1, form: { ...form, csvColumns: { path: 'f', target: 't', bias: [] } } }));
  const bad = loadSavedChoice(model);
  assert.ok(bad.kind === 'invalid' && /form\.csvColumns: bias: expected at least one bias column/.test(bad.problem), JSON.stringify(bad));
});

test('nonces are 128 random bits from crypto, base64, never repeated', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const n = makeNonce();
    assert.match(n, /^[A-Za-z0-9+/]{22}==$/);
    assert.equal(Buffer.from(n, 'base64').length, 16);
    seen.add(n);
  }
  assert.equal(seen.size, 200);
});
