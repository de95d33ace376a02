/**
 * "Browse…" next to the tokenizer, through the controller with the vscode stub: the host's file dialog picks the
 * file, the panel is sent the tokenizers offered with the pick selected, and a run naming a tokenizer the host did
 * not offer is answered with a form error on the tokenizer field (the page never chooses a path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installVscodeStub, fakePanel, Uri } from '../security/vscode-stub';
import type { HostToWebview } from '../../src/protocol';

const stub = installVscodeStub();
const TEXT = path.join(__dirname, '..', 'fixtures', 'text');

test('a picked tokenizer is offered and selected; one the host never offered is refused', async () => {
  const { BiseController } = await import('../../src/host/controller');
  const { defaultForm } = await import('../../src/host/form');
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-pick-'));
  fs.copyFileSync(path.join(TEXT, 'comments.csv'), path.join(ws, 'comments.csv'));
  stub.workspaceFolders = [{ uri: Uri.file(ws), name: 'ws', index: 0 }];
  const context = { extensionUri: new Uri('/ext'), asAbsolutePath: (p: string) => path.join('/ext', p), globalStorageUri: Uri.file(path.join(ws, '.store')), subscriptions: [] };
  const output = { appendLine: (l: string) => stub.output.push(l), show: () => undefined };
  const status = { text: '', show: () => assert.fail('no run may start'), hide: () => undefined };
  const controller = new BiseController(context as never, output as never, status as never);
  const modelPath = path.join(ws, 'bert.onnx');
  const posted: HostToWebview[] = [];
  const panel = { state: { view: 'setup', modelPath }, isDisposed: false, post: (m: HostToWebview) => posted.push(m), panel: fakePanel() };

  // The form as the panel first gets it: the text dataset, and only the (missing) tokenizer next to the model.
  controller.onReady(panel as never);
  const setup = posted.find((m) => m.type === 'setup');
  assert.ok(setup && setup.type === 'setup', JSON.stringify(posted));
  assert.ok(setup.setup.datasets.some((d) => d.id === 'text:comments.csv'));
  assert.deepEqual(setup.setup.tokenizers, [{ id: '', label: 'tokenizer.json next to the model', detail: path.join(ws, 'tokenizer.json'), found: false }]);

  const picked = path.join(TEXT, 'wordpiece', 'tokenizer.json');
  stub.openDialog = [Uri.file(picked)];
  controller.onMessage(panel as never, { type: 'pick-tokenizer' });
  await new Promise((r) => setTimeout(r, 20));
  const answer = posted.find((m) => m.type === 'tokenizers');
  assert.ok(answer && answer.type === 'tokenizers', JSON.stringify(posted));
  assert.equal(answer.selected, picked);
  assert.deepEqual(
    answer.tokenizers.map((t) => [t.id, t.found]),
    [
      ['', false],
      [picked, true],
    ],
  );

  // A cancelled dialog changes nothing.
  stub.openDialog = undefined;
  controller.onMessage(panel as never, { type: 'pick-tokenizer' });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(posted.filter((m) => m.type === 'tokenizers').length, 1);

  const other = path.join(TEXT, 'bytelevel-bpe', 'tokenizer.json');
  controller.onMessage(panel as never, { type: 'run', form: { ...defaultForm(), dataset: 'text:comments.csv', tokenizer: other } });
  const refused = posted.find((m) => m.type === 'form-errors');
  assert.ok(refused && refused.type === 'form-errors');
  assert.deepEqual(
    refused.errors.map((e) => e.field),
    ['tokenizer'],
  );
  assert.ok(!fs.existsSync(path.join(ws, 'bert.bise.json')), 'a refused form is not saved');
  controller.dispose();
});
