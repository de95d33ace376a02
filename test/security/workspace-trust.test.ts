/**
 * Workspace Trust in the code, not only in the manifest's `enablement`: in a restricted workspace every entry
 * point that would run a model, read data or write files — the commands, and a `run` or `export-report`
 * message from a panel that was open before trust was withdrawn — stops with a warning, and no panel or
 * worker is started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { installVscodeStub, fakePanel, Uri } from './vscode-stub';

const stub = installVscodeStub();

test('in Restricted Mode extract, demo, run and export refuse with a warning and start nothing', async () => {
  const { BiseController } = await import('../../src/host/controller');
  const { defaultForm } = await import('../../src/host/form');
  stub.isTrusted = false;
  const context = { extensionUri: new Uri('/ext'), asAbsolutePath: (p: string) => path.join('/ext', p), globalStorageUri: new Uri('/store'), subscriptions: [] };
  const output = { appendLine: (l: string) => stub.output.push(l), show: () => undefined };
  const status = { text: '', show: () => assert.fail('no run may start'), hide: () => undefined };
  const controller = new BiseController(context as never, output as never, status as never);

  await controller.extractSubnetwork(Uri.file('/ws/net.onnx') as never);
  controller.runDemo();
  const setupPanel = { state: { view: 'setup', modelPath: '/ws/net.onnx' }, post: () => assert.fail('nothing is posted'), panel: fakePanel() };
  controller.onMessage(setupPanel as never, { type: 'run', form: defaultForm() });
  const reportPanel = { state: { view: 'report', reportPath: '/store/runs/x/report.json' }, post: () => assert.fail('nothing is posted'), panel: fakePanel() };
  controller.onMessage(reportPanel as never, { type: 'export-report' });
  await new Promise((r) => setImmediate(r));

  assert.equal(stub.created.length, 0, 'no panel was opened');
  assert.equal(stub.warnings.length, 4, stub.warnings.join('\n'));
  for (const w of stub.warnings) assert.match(w, /disabled in Restricted Mode\. Trust this workspace to use it\./);
});
