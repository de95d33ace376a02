/**
 * A panel restored after a reload takes its model or report path from the webview's saved state; the host
 * uses it only inside the workspace folders, the extension's storage or the extension (restored-state.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { restorablePanelState } from '../../src/host/restored-state';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-restore-'));
const workspace = path.join(base, 'ws');
const storage = path.join(base, 'storage');
const outside = path.join(base, 'elsewhere');
for (const d of [workspace, storage, outside, path.join(storage, 'runs', 'm-1')]) fs.mkdirSync(d, { recursive: true });
fs.writeFileSync(path.join(outside, 'secret.onnx'), 'x');
fs.symlinkSync(outside, path.join(workspace, 'link'));
const roots = [workspace, storage];

test('paths inside a workspace folder or the extension storage are restored', () => {
  for (const state of [
    { view: 'setup', modelPath: path.join(workspace, 'models', 'net.onnx') },
    { view: 'report', reportPath: path.join(storage, 'runs', 'm-1', 'report.json') },
  ] as const) {
    assert.deepEqual(restorablePanelState(state, roots), { ok: true, state });
  }
});

test('hostile saved paths are refused with a reason', () => {
  const refused: [object, RegExp][] = [
    [{ view: 'setup', modelPath: '/etc/passwd' }, /not an \.onnx file/],
    [{ view: 'setup', modelPath: path.join(outside, 'secret.onnx') }, /outside the workspace folders/],
    [{ view: 'setup', modelPath: path.join(workspace, '..', 'elsewhere', 'secret.onnx') }, /outside the workspace folders/],
    [{ view: 'setup', modelPath: path.join(workspace, 'link', 'secret.onnx') }, /outside the workspace folders/],
    [{ view: 'setup', modelPath: 'models/net.onnx' }, /not absolute/],
    [{ view: 'report', reportPath: path.join(workspace, 'notes.txt') }, /not a report\.json/],
    [{ view: 'report', reportPath: path.join(outside, 'report.json') }, /outside the workspace folders/],
    [{ view: 'setup', modelPath: workspace + '.onnx' }, /outside the workspace folders/],
  ];
  for (const [state, reason] of refused) {
    const r = restorablePanelState(state as never, roots);
    assert.equal(r.ok, false, JSON.stringify(state));
    if (!r.ok) assert.match(r.reason, reason);
  }
});
