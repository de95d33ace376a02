/**
 * bise.convertCheckpoint's flow against a stub of the `vscode` module (no VS Code runs here), with
 * test/host/fixtures/fake-convert.js in place of the Python script (run by node, same arguments and answers):
 * the prompts, the class asked for a state_dict and remembered, the pickle confirmed, a class changed after a
 * mismatch, the form opened on the new model, the errors and their "Copy Export Command", cancel and Restricted
 * Mode. The script itself runs with torch in checkpoint-script.test.ts.
 */
import { test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Module from 'node:module';

class Uri {
  constructor(
    readonly fsPath: string,
    readonly scheme = 'file',
  ) {}
  get path(): string {
    return this.fsPath;
  }
  static file(p: string): Uri {
    return new Uri(p);
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

interface InputBoxOptions {
  title?: string;
  value?: string;
  validateInput?: (text: string) => string | null;
}

const s = {
  trusted: true,
  /** What the user types into each input box, in order (undefined: Escape). */
  inputs: [] as (string | undefined)[],
  /** The button the user clicks on each warning or error, in order. */
  clicks: [] as (string | undefined)[],
  prompts: [] as InputBoxOptions[],
  errors: [] as { text: string; actions: string[] }[],
  warnings: [] as string[],
  infos: [] as string[],
  executed: [] as { command: string; args: unknown[] }[],
  clipboard: [] as string[],
  log: [] as string[],
  pythonExtension: undefined as unknown,
  /** Cancel the conversion this many ms after it starts. */
  cancelAfterMs: undefined as number | undefined,
};

const vscodeStub = {
  Uri,
  ProgressLocation: { Notification: 15 },
  TabInputText: class {},
  TabInputCustom: class {},
  workspace: {
    get isTrusted() {
      return s.trusted;
    },
    workspaceFolders: [] as { uri: Uri }[],
    getConfiguration: () => ({ get: <T>(_k: string, d?: T) => d }),
  },
  window: {
    showInputBox: async (o: InputBoxOptions) => {
      s.prompts.push(o);
      assert.ok(s.inputs.length > 0, `an unexpected prompt: ${o.title}`);
      const answer = s.inputs.shift();
      if (answer !== undefined) assert.equal(o.validateInput?.(answer) ?? null, null, `the prompt accepts '${answer}'`);
      return answer;
    },
    showWarningMessage: async (text: string) => {
      s.warnings.push(text);
      return s.clicks.shift();
    },
    showErrorMessage: async (text: string, ...actions: string[]) => {
      s.errors.push({ text, actions });
      return s.clicks.shift();
    },
    showInformationMessage: async (text: string) => {
      s.infos.push(text);
      return undefined;
    },
    withProgress: (_o: unknown, task: (p: unknown, token: unknown) => Promise<unknown>) => {
      const handlers: (() => void)[] = [];
      if (s.cancelAfterMs !== undefined) setTimeout(() => handlers.forEach((h) => h()), s.cancelAfterMs);
      return task({ report: () => undefined }, { onCancellationRequested: (h: () => void) => handlers.push(h) });
    },
  },
  commands: {
    executeCommand: async (command: string, ...args: unknown[]) => {
      s.executed.push({ command, args });
    },
  },
  extensions: { getExtension: (id: string) => (id === 'ms-python.python' ? s.pythonExtension : undefined) },
  env: { clipboard: { writeText: async (t: string) => void s.clipboard.push(t) } },
};

const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
const original = loader._load;
loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
  return request === 'vscode' ? vscodeStub : original.call(this, request, parent, isMain);
};

const FAKE_SCRIPT = path.join(__dirname, 'fixtures', 'fake-convert.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-convert-flow-'));
const host = { scriptPath: FAKE_SCRIPT, log: (l: string) => s.log.push(l), showLog: () => undefined };
/** The Python extension, selecting node (which runs the fake script). */
const nodeAsPython = { isActive: true, exports: { environments: { getActiveEnvironmentPath: () => ({ path: process.execPath }) } } };

async function convert(file: string): Promise<void> {
  const { convertCheckpoint } = await import('../../src/host/checkpoint-convert');
  await convertCheckpoint(host, Uri.file(path.join(work, file)) as never);
  assert.deepEqual([s.inputs, s.clicks], [[], []], 'every scripted answer was used');
}

beforeEach(() => {
  Object.assign(s, { trusted: true, inputs: [], clicks: [], prompts: [], errors: [], warnings: [], infos: [], executed: [], clipboard: [], log: [], pythonExtension: nodeAsPython, cancelAfterMs: undefined });
});

after(() => {
  loader._load = original;
  fs.rmSync(work, { recursive: true, force: true });
});

const opened = (): string[] => s.executed.filter((e) => e.command === 'bise.extractSubnetwork').map((e) => (e.args[0] as Uri).fsPath);

test('a state_dict: shape, then class and arguments asked; the form opens on <stem>.onnx and the choice is saved', async () => {
  fs.writeFileSync(path.join(work, 'state.pth'), '');
  s.inputs = ['3,8,8', 'tinynets.nets:SmallNet', '[4]'];
  await convert('state.pth');
  assert.deepEqual(opened(), [path.join(work, 'state.onnx')]);
  assert.match(s.prompts[1].title ?? '', /the model class for state\.pth/);
  assert.deepEqual(s.errors, []);
  assert.match(s.infos[0], /^BISE: converted state\.pth \(state_dict, loaded into tinynets\.nets:SmallNet\) to state\.onnx: input \[N, 3, 8, 8\] → logits \[N, 4\]/);
  assert.ok(s.log.includes('[convert] fake conversion of state.pth'), "the script's stderr is logged");
  const saved = JSON.parse(fs.readFileSync(path.join(work, 'state.pth.bise-convert.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(saved, { schema: 'bise-convert', version: 1, inputShape: '3,8,8', modelClass: 'tinynets.nets:SmallNet', constructorArgs: '[4]', opset: 17 });
});

test('converting again: the saved choice prefills the shape and supplies the class; the new model never overwrites the old', async () => {
  s.inputs = ['3,8,8'];
  await convert('state.pth');
  assert.equal(s.prompts[0].value, '3,8,8', 'prefilled from the saved choice');
  assert.deepEqual(opened(), [path.join(work, 'state-1.onnx')]);
});

test('a class that does not fit: the error offers Change Class…, and the next class converts', async () => {
  fs.writeFileSync(path.join(work, 'other.pth'), '');
  fs.writeFileSync(path.join(work, 'other.pth.bise-convert.json'), JSON.stringify({ schema: 'bise-convert', version: 1, inputShape: '3,8,8', modelClass: 'tinynets.nets:Wrong', constructorArgs: '', opset: 13 }));
  s.inputs = ['3,8,8', 'tinynets.nets:SmallNet', '[4]'];
  s.clicks = ['Change Class…'];
  await convert('other.pth');
  assert.equal(s.errors.length, 1);
  assert.match(s.errors[0].text, /^BISE could not convert: the checkpoint's state_dict does not fit tinynets\.nets:Wrong/);
  assert.deepEqual(s.errors[0].actions, ['Change Class…', 'Copy Export Command', 'Show Log']);
  assert.equal(s.prompts[1].value, 'tinynets.nets:Wrong', 'the class prompt starts from the one that failed');
  assert.deepEqual(opened(), [path.join(work, 'other.onnx')]);
  assert.match(s.infos[0], /opset 13/, 'the saved opset is used');
});

test('a pickled whole model converts only after the user confirms loading it', async () => {
  fs.writeFileSync(path.join(work, 'whole.pt'), '');
  s.inputs = ['3,8,8'];
  s.clicks = [undefined];
  await convert('whole.pt');
  assert.match(s.warnings[0], /whole\.pt is a pickled Python object.*runs code/);
  assert.deepEqual(opened(), [], 'declined: nothing converted');

  s.warnings = [];
  s.inputs = ['3,8,8'];
  s.clicks = ['Load It'];
  await convert('whole.pt');
  assert.equal(s.warnings.length, 1);
  assert.deepEqual(opened(), [path.join(work, 'whole.onnx')]);
});

test('not a checkpoint: an error that says so, and Copy Export Command copies the command line', async () => {
  fs.writeFileSync(path.join(work, 'notes.pt'), 'my notes');
  s.inputs = ['N,3,8,8'];
  s.clicks = ['Copy Export Command'];
  await convert('notes.pt');
  assert.match(s.errors[0].text, /^BISE could not convert: notes\.pt is not a PyTorch checkpoint/);
  assert.deepEqual(s.errors[0].actions, ['Copy Export Command', 'Show Log']);
  assert.equal(s.clipboard.length, 1);
  assert.ok(s.clipboard[0].includes(FAKE_SCRIPT.replace(/'/g, '')) && s.clipboard[0].includes('--input-shape N,3,8,8'), s.clipboard[0]);
  assert.deepEqual(opened(), []);
});

test('no Python at all: every Python tried is named with what it lacks, and the command to run by hand is offered', async () => {
  s.pythonExtension = undefined;
  s.inputs = ['3,8,8'];
  s.clicks = ['Copy Export Command'];
  const pathBefore = process.env.PATH;
  process.env.PATH = work; // holds no python3 or python
  try {
    await convert('state.pth');
  } finally {
    process.env.PATH = pathBefore;
  }
  assert.match(s.errors[0].text, /no Python with torch to convert state\.pth: python3 on PATH \(python3\): not found; python on PATH \(python\): not found\. Install torch/);
  assert.match(s.clipboard[0], /^python3 \S+fake-convert\.js \S+state\.pth --input-shape 3,8,8 .*--class tinynets\.nets:SmallNet --args '\[4\]'/);
});

test('cancel kills the conversion and writes nothing', async () => {
  fs.writeFileSync(path.join(work, 'slow.pt'), '');
  s.inputs = ['3,8,8'];
  s.cancelAfterMs = 200;
  const started = Date.now();
  await convert('slow.pt');
  assert.ok(Date.now() - started < 10_000);
  assert.ok(s.log.includes('conversion of slow.pt cancelled; nothing was written'), s.log.join('\n'));
  assert.deepEqual([opened(), s.errors], [[], []]);
  assert.ok(!fs.existsSync(path.join(work, 'slow.onnx')));
});

test('Restricted Mode: a warning, no prompt, nothing run', async () => {
  s.trusted = false;
  await convert('state.pth');
  assert.match(s.warnings[0], /disabled in Restricted Mode\. Trust this workspace to use it\./);
  assert.deepEqual([s.prompts, opened()], [[], []]);
});
