/**
 * The webview never sends a path: its form names a dataset by the id of one the host found in the workspace,
 * and the host maps the id back to the location it found. An id the host did not offer — however it is
 * spelled — is refused, so a hostile page cannot point a run at a file of its choosing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectDatasets } from '../../src/host/datasets';
import { buildExtractJob, defaultForm } from '../../src/host/form';

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-form-ws-'));
const folder = path.join(ws, 'data', 'biased');
fs.mkdirSync(folder, { recursive: true });
for (const split of ['train', 'test']) for (const a of ['x', 'y', 'b']) fs.writeFileSync(path.join(folder, `${a}_${split}.npy`), '');
const datasets = detectDatasets([ws]);
const ctx = { modelPath: path.join(ws, 'net.onnx'), datasets, providers: ['cpu'] as const, outDir: path.join(os.tmpdir(), 'bise-form-out') };

test('an offered dataset id maps to the folder the host found', () => {
  const offered = datasets.find((d) => d.option.kind === 'npy-folder');
  assert.ok(offered, JSON.stringify(datasets.map((d) => d.option.id)));
  const r = buildExtractJob({ ...defaultForm(), dataset: offered.option.id }, ctx);
  assert.ok(r.ok, JSON.stringify(r));
  if (r.ok) assert.deepEqual(r.job.data, { kind: 'npy-folder', folder });
});

test('ids the host did not offer are refused on the dataset field', () => {
  for (const id of ['npy:../../etc', 'npy:/etc', 'csv:/etc/passwd.csv', 'csv:data/../../../secret.csv', `npy:${folder}/..`, '', 'builtin:../../x', '__proto__', 'constructor']) {
    const r = buildExtractJob({ ...defaultForm(), dataset: id }, ctx);
    assert.equal(r.ok, false, id);
    if (!r.ok) assert.ok(r.errors.some((e) => e.field === 'dataset'), `${id}: ${JSON.stringify(r.errors)}`);
  }
});
