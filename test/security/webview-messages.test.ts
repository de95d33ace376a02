/**
 * The webview is untrusted input: every message it posts goes through the protocol's decoder in the real
 * BisePanel; unknown or malformed ones (including attempts to slip a path in) are dropped with one log line
 * and never reach the controller. A panel restored after a reload is refused when its saved path points
 * outside the workspace (the real activate(), through its panel serializer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installVscodeStub, fakePanel, Uri } from './vscode-stub';

const stub = installVscodeStub();

test('malformed and unknown webview messages are dropped and logged; valid ones reach the host', async () => {
  const { BisePanel } = await import('../../src/host/panel');
  const { defaultForm } = await import('../../src/host/form');
  const logged: string[] = [];
  const received: unknown[] = [];
  let ready = 0;
  const host = { extensionUri: new Uri('/ext'), log: (l: string) => logged.push(l), onReady: () => ready++, onMessage: (_p: unknown, m: unknown) => received.push(m) };
  BisePanel.show(host as never, { view: 'setup', modelPath: '/ws/net.onnx' }, 'BISE: net.onnx');
  const panel = stub.created[stub.created.length - 1];
  const form = defaultForm();
  const hostile: unknown[] = [
    null,
    'ready',
    42,
    [],
    {},
    { type: 'explode' },
    { type: '__proto__' },
    { type: 'run' },
    { type: 'run', form: { ...form, probe: 'yes' } },
    { type: 'run', form: { ...form, dataset: 7 } },
    { type: 'run', form: { ...form, modelPath: '/etc/passwd' } },
    { type: 'cancel', pid: 1 },
    { type: 'open-markdown', file: '/etc/passwd' },
    { type: 'export-report', dest: '../../' },
    JSON.parse('{"type":"cancel","__proto__":{"polluted":true}}'),
  ];
  for (const m of hostile) panel.receive(m);
  assert.equal(ready, 0);
  assert.deepEqual(received, []);
  assert.equal(logged.length, hostile.length, logged.join('\n'));
  for (const line of logged) assert.match(line, /^dropped a malformed message from the webview: /);
  assert.equal(({} as { polluted?: boolean }).polluted, undefined, 'no prototype pollution');

  panel.receive({ type: 'ready' });
  panel.receive({ type: 'cancel' });
  panel.receive({ type: 'run', form });
  assert.equal(ready, 1);
  assert.deepEqual(received, [{ type: 'cancel' }, { type: 'run', form }]);
});

test('a restored panel whose saved path leaves the workspace is disposed, not opened', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-revive-'));
  const ws = path.join(base, 'ws');
  fs.mkdirSync(ws);
  stub.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  const ext = (await import('../../src/host/extension')) as { activate: (c: unknown) => void };
  ext.activate({ subscriptions: [], extensionUri: new Uri(path.join(base, 'ext')), asAbsolutePath: (p: string) => path.join(base, 'ext', p), globalStorageUri: new Uri(path.join(base, 'store')) });
  const serializer = stub.serializers.get('bise.panel');
  assert.ok(serializer);
  for (const state of [{ view: 'setup', modelPath: '/etc/shadow.onnx' }, { view: 'report', reportPath: path.join(ws, '..', 'report.json') }, { view: 'setup', modelPath: 7 }, null]) {
    const panel = fakePanel();
    await serializer.deserializeWebviewPanel(panel, state);
    assert.ok(panel.disposed, JSON.stringify(state));
    assert.equal(panel.webview.html, '', 'nothing rendered');
  }
  assert.ok(stub.output.some((l) => /did not restore a BISE panel: the saved model path '\/etc\/shadow\.onnx' is outside/.test(l)), stub.output.join('\n'));
  const inside = fakePanel();
  await serializer.deserializeWebviewPanel(inside, { view: 'setup', modelPath: path.join(ws, 'net.onnx') });
  assert.ok(!inside.disposed);
  assert.match(inside.webview.html, /Content-Security-Policy/);
});
