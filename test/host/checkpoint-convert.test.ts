/**
 * "Convert to ONNX for BISE" without Python: the script's command line (spawned, and as text for a POSIX shell or
 * Windows' Command Prompt), output names that never overwrite, the prompts' checks, which Pythons are tried, the
 * Python extension's API, the script's result and what the command does with it, and the saved conversion choice.
 * Windows paths are checked with node's path.win32 on any OS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convertChoicePath, loadConvertChoice, saveConvertChoice } from '../../src/host/checkpoint-choice';
import {
  classSpecProblem,
  commandLineText,
  constructorArgsProblem,
  ConvertOptions,
  freeOutputPath,
  parseInputShape,
  scriptArgs,
  searchPathsFor,
} from '../../src/host/checkpoint-command-line';
import { interpreterCandidates, selectedInterpreter } from '../../src/host/checkpoint-interpreter';
import { convertedMessage, nextStep, noPythonMessage, parseScriptOutput, ScriptResult } from '../../src/host/checkpoint-result';

const W = path.win32;
const P = path.posix;

const posixOptions: ConvertOptions = {
  checkpoint: '/ws/ana proj/models/net.pth',
  output: '/ws/ana proj/models/net.onnx',
  inputShape: '3,32,32',
  modelClass: 'models.resnet:ResNet',
  constructorArgs: '{"num_classes": 10, "name": "it\'s"}',
  opset: 17,
  searchPaths: ['/ws/ana proj'],
  allowPickle: false,
};

const winOptions: ConvertOptions = {
  ...posixOptions,
  checkpoint: 'C:\\Users\\ana\\my proj\\net.pth',
  output: 'C:\\Users\\ana\\my proj\\net.onnx',
  searchPaths: ['C:\\Users\\ana\\my proj\\'],
  allowPickle: true,
};

test('scriptArgs: checkpoint, shape, output, class with its arguments, opset, search path, pickle consent', () => {
  assert.deepEqual(scriptArgs('/ext/python/convert_to_onnx.py', posixOptions), [
    '/ext/python/convert_to_onnx.py',
    '/ws/ana proj/models/net.pth',
    '--input-shape',
    '3,32,32',
    '--output',
    '/ws/ana proj/models/net.onnx',
    '--class',
    'models.resnet:ResNet',
    '--args',
    '{"num_classes": 10, "name": "it\'s"}',
    '--opset',
    '17',
    '--search-path',
    '/ws/ana proj',
  ]);
  const bare = scriptArgs('s.py', { ...posixOptions, modelClass: null, constructorArgs: '[1]', allowPickle: true });
  assert.ok(!bare.includes('--class') && !bare.includes('--args'), 'no arguments without a class');
  assert.equal(bare.at(-1), '--allow-pickle');
  assert.ok(!scriptArgs('s.py', { ...posixOptions, constructorArgs: '  ' }).includes('--args'));
});

/** How a POSIX shell splits the line (the real sh). */
function shellWords(line: string): string[] {
  const r = spawnSync('/bin/sh', ['-c', `set -- ${line}; for a in "$@"; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\0').slice(0, -1);
}

/** How the Microsoft C runtime (Python's argv on Windows) splits a command line. */
function msvcrtWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      let n = 0;
      while (line[i] === '\\') (n++, i++);
      if (line[i] === '"') {
        word += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) word += '"';
        else quoted = !quoted;
      } else {
        word += '\\'.repeat(n);
        i--;
      }
      inWord = true;
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if ((c === ' ' || c === '\t') && !quoted) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

test('the export command as text splits back into the same argv in a POSIX shell', () => {
  const python = { command: '/home/ana/.venvs/torch env/bin/python', args: [], label: 'x' };
  const argv = scriptArgs('/ext/python/convert_to_onnx.py', posixOptions);
  const line = commandLineText(python, argv, 'linux');
  assert.deepEqual(shellWords(line), [python.command, ...argv]);
  assert.match(line, /^'\/home\/ana\/\.venvs\/torch env\/bin\/python' \/ext\/python\/convert_to_onnx\.py /, 'plain words stay unquoted');
});

test("the export command as text splits back into the same argv by Windows' C runtime (py -3, spaces, quotes, a trailing backslash)", () => {
  const argv = scriptArgs('C:\\Program Files\\ext\\python\\convert_to_onnx.py', winOptions);
  const line = commandLineText({ command: 'py', args: ['-3'], label: 'x' }, argv, 'win32');
  assert.deepEqual(msvcrtWords(line), ['py', '-3', ...argv]);
  assert.match(line, /^py -3 "C:\\Program Files\\ext\\python\\convert_to_onnx\.py" /);
  assert.match(line, /--search-path "C:\\Users\\ana\\my proj\\\\"/, 'a trailing backslash is doubled before the closing quote');
});

test('freeOutputPath: <stem>.onnx, else <stem>-1.onnx, ...; POSIX and Windows paths', () => {
  const taken = new Set(['/ws/m/net.onnx', '/ws/m/net-1.onnx']);
  assert.equal(freeOutputPath('/ws/m/net.pth', (f) => taken.has(f), P), '/ws/m/net-2.onnx');
  assert.equal(freeOutputPath('/ws/m/run.ckpt.pt', () => false, P), '/ws/m/run.ckpt.onnx');
  assert.equal(freeOutputPath('C:\\ws\\m\\Net.PT', () => false, W), 'C:\\ws\\m\\Net.onnx');
  assert.equal(freeOutputPath('C:\\ws\\m\\net.pt2', (f) => f === 'C:\\ws\\m\\net.onnx', W), 'C:\\ws\\m\\net-1.onnx');
});

test('the prompts: input shape, class name and constructor arguments', () => {
  assert.deepEqual(parseInputShape(' [3, 224, 224] '), { ok: true, dims: [3, 224, 224] });
  assert.deepEqual(parseInputShape('N,3,8,8'), { ok: true, dims: [3, 8, 8] });
  assert.deepEqual(parseInputShape('3×32×32'), { ok: true, dims: [3, 32, 32] });
  const bad = parseInputShape('3,32,-1');
  assert.ok(!bad.ok && /'3,32,-1' is not a list of positive sizes/.test(bad.message));
  assert.equal(classSpecProblem('pkg.models:Net'), null);
  assert.match(classSpecProblem('pkg/models.py:Net') ?? '', /is not package\.module:Class/);
  assert.equal(constructorArgsProblem(''), null);
  assert.equal(constructorArgsProblem('[10, "a"]'), null);
  assert.equal(constructorArgsProblem('{"num_classes": 10}'), null);
  assert.match(constructorArgsProblem('{num_classes: 10}') ?? '', /not valid JSON/);
  assert.match(constructorArgsProblem('10') ?? '', /a JSON list .* or object/);
});

test('searchPathsFor: the innermost workspace folder holding the checkpoint, else its own folder (Windows: any case)', () => {
  assert.deepEqual(searchPathsFor('/ws/app/models/net.pt', ['/other', '/ws', '/ws/app'], 'linux'), ['/ws/app']);
  assert.deepEqual(searchPathsFor('/tmp/net.pt', ['/ws'], 'linux'), ['/tmp']);
  assert.deepEqual(searchPathsFor('c:\\WS\\net.pt', ['C:\\ws'], 'win32'), ['C:\\ws']);
  assert.deepEqual(searchPathsFor('D:\\ws\\net.pt', ['C:\\ws'], 'win32'), ['D:\\ws']);
});

test("interpreters: the Python extension's first, then python3 and python (Windows: py -3 first), each once", () => {
  const labels = (l: ReturnType<typeof interpreterCandidates>): string[] => l.map((i) => [i.command, ...i.args].join(' '));
  assert.deepEqual(labels(interpreterCandidates(undefined, 'linux')), ['python3', 'python']);
  assert.deepEqual(labels(interpreterCandidates(['/venv/bin/python'], 'darwin')), ['/venv/bin/python', 'python3', 'python']);
  assert.deepEqual(labels(interpreterCandidates(['python3'], 'linux')), ['python3', 'python'], 'no duplicate');
  assert.deepEqual(labels(interpreterCandidates(['C:\\venv\\Scripts\\python.exe'], 'win32')), ['C:\\venv\\Scripts\\python.exe', 'py -3', 'python', 'python3']);
  assert.deepEqual(labels(interpreterCandidates(['conda', 'run', '-n', 'ml', 'python'], 'linux')), ['conda run -n ml python', 'python3', 'python']);
});

test("the Python extension's API: the environments API's path, else getExecutionDetails, else nothing", async () => {
  const resource = { fsPath: '/ws/net.pt' };
  const seen: unknown[] = [];
  const environments = {
    getActiveEnvironmentPath(r: unknown) {
      seen.push(r);
      return { id: 'x', path: '/ws/.venv/bin/python' };
    },
  };
  assert.deepEqual(await selectedInterpreter({ environments }, resource), ['/ws/.venv/bin/python']);
  assert.deepEqual(seen, [resource], "asked for the checkpoint's workspace");
  const settings = { getExecutionDetails: () => ({ execCommand: ['conda', 'run', '-n', 'ml', 'python'] }) };
  assert.deepEqual(await selectedInterpreter({ environments: { getActiveEnvironmentPath: async () => ({ path: '' }) }, settings }, resource), ['conda', 'run', '-n', 'ml', 'python']);
  assert.equal(await selectedInterpreter({ settings: { getExecutionDetails: () => ({ execCommand: undefined }) } }, resource), undefined);
  assert.equal(await selectedInterpreter(undefined, resource), undefined);
});

const ok: ScriptResult = {
  ok: true,
  output: '/ws/net.onnx',
  source: 'state-dict',
  key: 'state_dict',
  inputShape: [2, 3, 32, 32],
  outputShape: [2, 10],
  opset: 17,
  torch: '2.3.1',
  python: '/usr/bin/python3 3.11.2',
  notes: ["removed the 'module.' prefix of every key (a checkpoint saved from DataParallel)"],
};
const failure = (kind: string, message = 'why'): string => JSON.stringify({ ok: false, kind, message, python: '/usr/bin/python3 3.11.2', torch: '2.3.1' });

test("parseScriptOutput: the last line's result, validated; anything else says what it got", () => {
  assert.deepEqual(parseScriptOutput(`some noise\n${JSON.stringify(ok)}\r\n\n`), { ok: true, result: ok });
  const f = parseScriptOutput(failure('key-mismatch', 'the checkpoint does not fit'));
  assert.ok(f.ok && !f.result.ok && f.result.kind === 'key-mismatch');
  assert.deepEqual(parseScriptOutput(''), { ok: false, problem: 'it printed no result' });
  assert.match((parseScriptOutput('Traceback (most recent call last):') as { problem: string }).problem, /not a JSON result: Traceback/);
  assert.match((parseScriptOutput(failure('no-such-kind')) as { problem: string }).problem, /kind/);
  assert.match((parseScriptOutput(JSON.stringify({ ...ok, inputShape: [2, 0] })) as { problem: string }).problem, /inputShape/);
});

const decoded = (line: string): ScriptResult => {
  const r = parseScriptOutput(line);
  assert.ok(r.ok);
  return r.result;
};

test('nextStep: open the form, ask for the class, confirm the pickle, or fail (offering another class when it did not fit)', () => {
  const noClass = { ...posixOptions, modelClass: null };
  assert.deepEqual(nextStep(ok, posixOptions), { kind: 'open', converted: ok });
  assert.equal(nextStep(decoded(failure('needs-class')), noClass).kind, 'ask-class');
  assert.deepEqual(nextStep(decoded(failure('needs-class')), posixOptions), { kind: 'fail', message: 'why', classProblem: true });
  assert.equal(nextStep(decoded(failure('needs-pickle')), posixOptions).kind, 'confirm-pickle');
  assert.equal(nextStep(decoded(failure('needs-pickle')), { ...posixOptions, allowPickle: true }).kind, 'fail', 'asked once');
  for (const kind of ['class-not-found', 'constructor-failed', 'key-mismatch']) assert.deepEqual(nextStep(decoded(failure(kind)), posixOptions), { kind: 'fail', message: 'why', classProblem: true });
  for (const kind of ['not-a-checkpoint', 'torch-export-unsupported', 'forward-failed', 'export-failed', 'unexpected']) assert.deepEqual(nextStep(decoded(failure(kind)), posixOptions), { kind: 'fail', message: 'why', classProblem: false });
});

test('the messages: what was converted, and every Python tried with what it lacks', () => {
  assert.equal(
    convertedMessage('/ws/net.pth', ok as Extract<ScriptResult, { ok: true }>, 'models.resnet:ResNet'),
    "converted net.pth (state_dict under 'state_dict', loaded into models.resnet:ResNet) to net.onnx: input [N, 3, 32, 32] → logits [N, 10], opset 17, torch 2.3.1; removed the 'module.' prefix of every key (a checkpoint saved from DataParallel)",
  );
  const text = noPythonMessage('/ws/net.pth', [
    { interpreter: { command: 'C:\\venv\\python.exe', args: [], label: "the Python extension's interpreter" }, problem: 'no torch (Python C:\\venv\\python.exe 3.12.1)' },
    { interpreter: { command: 'py', args: ['-3'], label: 'the py -3 launcher' }, problem: 'not found' },
  ]);
  assert.match(text, /^no Python with torch to convert net\.pth: the Python extension's interpreter \(C:\\venv\\python\.exe\): no torch \(Python C:\\venv\\python\.exe 3\.12\.1\); the py -3 launcher \(py -3\): not found\. /);
  assert.match(text, /pip install torch.*Python: Select Interpreter.*Copy Export Command/);
});

test('the conversion choice: saved next to the checkpoint as <file>.bise-convert.json, read back; a bad file is reported', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-convert-choice-'));
  try {
    const checkpoint = path.join(dir, 'net.pt');
    assert.deepEqual(loadConvertChoice(checkpoint), { kind: 'none' });
    const choice = { inputShape: '3,32,32', modelClass: 'models:Net', constructorArgs: '{"num_classes": 10}', opset: 17 };
    const file = saveConvertChoice(checkpoint, choice);
    assert.equal(file, path.join(dir, 'net.pt.bise-convert.json'));
    assert.deepEqual(loadConvertChoice(checkpoint), { kind: 'loaded', file, choice });
    assert.notEqual(convertChoicePath(path.join(dir, 'net.pth')), file, 'net.pt and net.pth keep their own choice');
    fs.writeFileSync(file, JSON.stringify({ schema: 'bise-convert', version: 1, inputShape: '3,32,32', modelClass: null, constructorArgs: '', opset: 0 }));
    const bad = loadConvertChoice(checkpoint);
    assert.ok(bad.kind === 'invalid' && /opset/.test(bad.problem), JSON.stringify(bad));
    assert.deepEqual(fs.readdirSync(dir), ['net.pt.bise-convert.json'], 'no temporary file left');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
