/**
 * The model view's host side against the `vscode` stub: the page it loads, the loading state then the description
 * (read by the worker's own describer), the replay for a rebuilt webview, buttons that run the existing commands on
 * this file, a file that does not parse, a file that is not local, a changed file read again, trust granted later,
 * and a closed view that stops its worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fakePanel, installVscodeStub, Uri } from '../security/vscode-stub';
import type { ModelDescriptionRequest } from '../../src/host/model-editor-worker';
import type { HostToModelView } from '../../src/protocol/model-view';
import { describeForView } from '../../src/worker/describe-model';

const stub = installVscodeStub();
/** Loaded after the stub is installed, so its `import 'vscode'` gets the stub. */
const editor = import('../../src/host/model-editor');

const DEMO = path.join(__dirname, '../../models/biased-mnist-rho0.97-cnn.onnx');
const TRUNCATED = path.join(__dirname, '../fixtures/bad/model-truncated/model.onnx');

/** The host with the worker's describer run in this process (test/host/model-editor-worker.test.ts forks the real one). */
interface Host {
  readonly asked: string[];
  readonly disposed: string[];
  readonly log: string[];
  readonly provider: InstanceType<Awaited<typeof editor>['ModelEditorProvider']>;
  readonly pending: Map<string, (r: Awaited<ModelDescriptionRequest['result']>) => void>;
}

async function host(): Promise<Host> {
  const { ModelEditorProvider } = await editor;
  const asked: string[] = [];
  const disposed: string[] = [];
  const log: string[] = [];
  const pending = new Map<string, (r: Awaited<ModelDescriptionRequest['result']>) => void>();
  const provider = new ModelEditorProvider({
    extensionUri: new Uri('/ext') as never,
    log: (line) => log.push(line),
    describe: (modelPath) => {
      asked.push(modelPath);
      const result = new Promise<Awaited<ModelDescriptionRequest['result']>>((resolve) => pending.set(modelPath, resolve));
      return { result, pid: undefined, dispose: () => disposed.push(modelPath) };
    },
  });
  return { asked, disposed, log, provider, pending };
}

/** Answers the pending request for `modelPath` as the worker would, and lets the host post it. */
async function answer(h: Host, modelPath: string): Promise<void> {
  const m = describeForView(modelPath);
  h.pending.get(modelPath)?.(m.description ? { description: m.description, error: null } : { description: null, error: m.error as string });
  await new Promise((resolve) => setImmediate(resolve));
}

function open(h: Host, uri: Uri): ReturnType<typeof fakePanel> {
  const panel = fakePanel('m.onnx');
  const document = h.provider.openCustomDocument(uri as never);
  h.provider.resolveCustomEditor(document, panel as never);
  return panel;
}

const posted = (panel: ReturnType<typeof fakePanel>): HostToModelView[] => panel.posted as HostToModelView[];

test('opening a model: the page loads dist/model-view.js; the worker reads the file; loading, then the description', async () => {
  const h = await host();
  const panel = open(h, Uri.file(DEMO));
  assert.match(panel.webview.html, /<script nonce="[^"]+" src="file:\/\/\/ext\/dist\/model-view\.js"><\/script>/);
  assert.deepEqual(panel.webview.options, { enableScripts: true, enableCommandUris: false, localResourceRoots: [new Uri('/ext/dist'), new Uri('/ext/media')] });
  assert.deepEqual(h.asked, [], 'nothing is read before the webview is listening');
  panel.receive({ type: 'ready' });
  assert.deepEqual(h.asked, [DEMO], 'the host passes only the path');
  assert.deepEqual(posted(panel), [{ type: 'loading', modelPath: DEMO }]);
  await answer(h, DEMO);
  const last = posted(panel)[1];
  assert.equal(last.type, 'description');
  assert.equal(last.type === 'description' && last.description.units?.groups.length, 4);
  assert.equal(last.type === 'description' && last.trusted, true);

  panel.receive({ type: 'ready' });
  assert.deepEqual(posted(panel)[2], last, 'a rebuilt webview gets the description again');
  assert.deepEqual(h.asked, [DEMO], 'without reading the file again');
});

test('the buttons run the existing audit and extract commands on this file; a malformed message is dropped and logged', async () => {
  const { MODEL_VIEW_COMMANDS } = await editor;
  const h = await host();
  const uri = Uri.file(DEMO);
  const panel = open(h, uri);
  const before = stub.executed.length;
  panel.receive({ type: 'audit' });
  panel.receive({ type: 'extract' });
  panel.receive({ type: 'run-anything', command: 'workbench.action.terminal.new' });
  assert.deepEqual(stub.executed.slice(before), [
    { command: MODEL_VIEW_COMMANDS.audit, args: [uri] },
    { command: MODEL_VIEW_COMMANDS.extract, args: [uri] },
  ]);
  assert.deepEqual([MODEL_VIEW_COMMANDS.audit, MODEL_VIEW_COMMANDS.extract], ['bise.auditModel', 'bise.extractSubnetwork']);
  assert.match(h.log.join('\n'), /dropped a malformed message from the model view: unknown model view message type "run-anything"/);
});

test('a file that does not parse shows an error naming it and what is wrong', async () => {
  const h = await host();
  const panel = open(h, Uri.file(TRUNCATED));
  panel.receive({ type: 'ready' });
  await answer(h, TRUNCATED);
  const last = posted(panel).at(-1);
  assert.equal(last?.type, 'unreadable');
  assert.match(last?.type === 'unreadable' ? last.error : '', /model-truncated\/model\.onnx: is not a valid ONNX protobuf/);
});

test('a model that is not on the local file system is refused without a worker', async () => {
  const h = await host();
  const panel = open(h, new Uri('/remote/m.onnx', 'vscode-vfs'));
  panel.receive({ type: 'ready' });
  assert.deepEqual(h.asked, []);
  assert.match(JSON.stringify(posted(panel)), /BISE reads models from the local file system; 'vscode-vfs:\/\/\/remote\/m\.onnx' is not a local file/);
});

test('a changed file is read again; trust granted later turns the buttons on; closing the view stops its worker', async () => {
  const h = await host();
  stub.isTrusted = false;
  try {
    const panel = open(h, Uri.file(DEMO));
    panel.receive({ type: 'ready' });
    await answer(h, DEMO);
    assert.equal(posted(panel).at(-1)?.type === 'description' && (posted(panel).at(-1) as { trusted: boolean }).trusted, false);

    stub.isTrusted = true;
    for (const granted of stub.trustGranted) granted();
    assert.deepEqual((posted(panel).at(-1) as { type: string; trusted: boolean }).trusted, true);

    const watcher = stub.fileWatchers.filter((w) => w.pattern === DEMO).at(-1);
    assert.ok(watcher, 'the view watches its file');
    watcher.changed[0]();
    assert.deepEqual(posted(panel).at(-1), { type: 'loading', modelPath: DEMO });
    assert.deepEqual(h.asked, [DEMO, DEMO]);
    assert.deepEqual(h.disposed, []);
    panel.dispose();
    assert.deepEqual(h.disposed, [DEMO], 'the worker still reading is stopped');
    const count = posted(panel).length;
    await answer(h, DEMO);
    assert.equal(posted(panel).length, count, 'nothing is posted to a closed view');
  } finally {
    stub.isTrusted = true;
  }
});
