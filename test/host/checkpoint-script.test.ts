/**
 * python/convert_to_onnx.py for real, with Debian's torch (/usr/bin/python3, or BISE_TORCH_PYTHON): TorchScript, a
 * state_dict with its class (under a key, with DataParallel's prefix), a pickled whole model (refused, then
 * allowed), files that are not checkpoints, key mismatches; every exported model opens in the engine
 * (describeModel) and reproduces torch's logits in onnxruntime at another batch size. The cases run in one Python
 * process (test/host/fixtures/checkpoint-cases.py); one conversion goes through the extension's runner
 * (checkpoint-run.ts) with a missing Python and one without torch before it. Without torch the tests are skipped,
 * except in CI (CI=true), where they fail: .ci/run installs python3-torch.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describeModel } from '../../src/core/jobs/info-job';
import { ConvertOptions, DEFAULT_OPSET, Interpreter, parseInputShape, partialPath, classSpecProblem } from '../../src/host/checkpoint-command-line';
import type { ConvertFailure, Converted, ScriptResult } from '../../src/host/checkpoint-result';
import { convertWithFirstTorch } from '../../src/host/checkpoint-run';

const ROOT = path.join(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'python', 'convert_to_onnx.py');
const PYTHON = process.env.BISE_TORCH_PYTHON ?? '/usr/bin/python3';

function torchProblem(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  return r.status === 0 ? null : `${PYTHON} has no torch (${r.stderr.trim().split('\n').pop()})`;
}

const problem = torchProblem();
const skip = problem !== null && process.env.CI !== 'true' ? `${problem}; install Debian's python3-torch` : false;

interface CaseOutput {
  readonly torch: string;
  readonly cases: Readonly<Record<string, ScriptResult>>;
  readonly reference: { readonly input: number[]; readonly logits: number[] };
  readonly shapes: Readonly<Record<string, number[] | null>>;
  readonly classes: Readonly<Record<string, boolean>>;
  /** Where the script writes m.onnx before moving it into place (the extension removes it after a cancel). */
  readonly partial: string;
}

let work = '';
let cached: CaseOutput | undefined;
function cases(): CaseOutput {
  if (problem !== null) assert.fail(`CI=true and ${problem}: .ci/run installs python3-torch`);
  if (cached) return cached;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-convert-'));
  const r = spawnSync(PYTHON, [path.join(__dirname, 'fixtures', 'checkpoint-cases.py'), work], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(r.status, 0, r.stderr);
  cached = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as CaseOutput;
  return cached;
}

function converted(name: string): Converted {
  const c = cases().cases[name];
  assert.ok(c.ok, `${name}: ${c.ok ? '' : `${c.kind}: ${c.message}`}`);
  return c;
}

function failed(name: string, kind: ConvertFailure['kind']): string {
  const c = cases().cases[name];
  assert.ok(!c.ok, `${name} converted, expected ${kind}`);
  assert.equal(c.kind, kind, `${name}: ${c.message}`);
  return c.message;
}

/** The model opens in the engine and gives torch's logits for a batch of 3 (it was traced with 2). */
async function assertSameLogits(file: string): Promise<void> {
  const info = describeModel(file);
  assert.deepEqual(info.input, { name: 'input', shape: ['batch', 3, 8, 8] });
  assert.equal(info.opset, DEFAULT_OPSET);
  assert.equal(info.classifier, '/fc/Gemm');
  assert.deepEqual(info.groups.map((g) => g.units), [6], 'the conv channels are the units');
  const { input, logits } = cases().reference;
  const session = await ort.InferenceSession.create(file);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(input), [3, 3, 8, 8]) });
    assert.deepEqual(out.logits.dims, [3, 4]);
    const got = out.logits.data as Float32Array;
    for (let i = 0; i < logits.length; i++) assert.ok(Math.abs(got[i] - logits[i]) < 1e-4, `logit ${i}: onnxruntime ${got[i]}, torch ${logits[i]}`);
  } finally {
    await session.release();
  }
}

test('a TorchScript file converts to <stem>.onnx, then <stem>-1.onnx; a named output that exists is refused', { skip }, async () => {
  const c = converted('torchscript');
  assert.equal(c.source, 'torchscript');
  assert.equal(c.output, path.join(work, 'traced.onnx'));
  assert.deepEqual([c.inputShape, c.outputShape], [[2, 3, 8, 8], [2, 4]]);
  await assertSameLogits(c.output);
  assert.equal(converted('torchscriptAgain').output, path.join(work, 'traced-1.onnx'), 'the first name is taken: never overwritten');
  assert.match(failed('outputTaken', 'output-exists'), /traced\.onnx already exists; it is never overwritten/);
  assert.ok(!fs.readdirSync(work).some((f) => f.endsWith('.partial')), 'no partial file is left');
});

test("a state_dict loads into the named class: under a checkpoint key, without DataParallel's or Lightning's key prefix", { skip }, async () => {
  const keyed = converted('stateDictUnderKey');
  assert.deepEqual([keyed.source, keyed.key], ['state-dict', 'state_dict']);
  await assertSameLogits(keyed.output);
  const parallel = converted('dataParallelPrefix');
  assert.deepEqual(parallel.notes, ["removed the 'module.' prefix of every key (a checkpoint saved from DataParallel)"]);
  await assertSameLogits(parallel.output);
  const lightning = converted('lightningPrefix');
  assert.deepEqual([lightning.key, lightning.notes], ['state_dict', ["removed the 'model.' prefix of every key"]]);
});

test('a state_dict without a class asks for one; a class that does not fit names the keys and shapes', { skip }, () => {
  assert.match(failed('needsClass', 'needs-class'), /weights\.pth holds a state_dict \(9 tensors, first conv\.weight, .*\): name the model class/);
  assert.match(failed('wrongArgs', 'key-mismatch'), /2 with another shape: fc\.weight \(checkpoint \[4, 6\], model \[5, 6\]\), fc\.bias/);
  const other = failed('otherClass', 'key-mismatch');
  assert.match(other, /4 missing from the checkpoint: features\.weight, features\.bias, head\.weight, head\.bias/);
  assert.match(other, /9 not in the model: conv\.weight, conv\.bias, bn\.weight, bn\.bias, bn\.running_mean and 4 more/);
  assert.match(failed('noSuchModule', 'class-not-found'), /cannot import tinynets\.missing .*searched the workspace folder/);
  assert.match(failed('badConstructor', 'constructor-failed'), /SmallNet\(classes=4\) failed: TypeError: .*unexpected keyword argument 'classes'/);
  assert.match(failed('wrongShape', 'forward-failed'), /input of shape \[2, 5, 8, 8\] .*check the input shape/);
});

test('a pickled whole model is loaded only when allowed (it runs code from the file)', { skip }, async () => {
  assert.match(failed('pickleRefused', 'needs-pickle'), /whole\.pt is a pickled Python object, not only tensors \(it holds tinynets\.nets\.SmallNet\): loading it runs code/);
  const allowed = converted('pickleAllowed');
  assert.equal(allowed.source, 'module');
  await assertSameLogits(allowed.output);
});

test('files that are not checkpoints get a clear error; a torch.export archive needs torch >= 2.1', { skip }, () => {
  assert.match(failed('textFile', 'not-a-checkpoint'), /notes\.pt is not a PyTorch checkpoint: neither a zip archive .* nor a pickle/);
  const zip = failed('otherZip', 'not-a-checkpoint');
  assert.match(zip, /bundle\.pt is not a PyTorch checkpoint torch can read/);
  assert.doesNotMatch(zip, /Could this error message be improved/);
  assert.match(failed('missingFile', 'not-found'), /nothing\.pt does not exist/);
  const [major, minor] = cases().torch.split('.').map(Number);
  if (major < 2 || (major === 2 && minor < 1)) assert.match(failed('torchExport', 'torch-export-unsupported'), /torch 1\.13.* cannot load one .*torch >= 2\.1/);
  else assert.match(failed('torchExport', 'not-a-checkpoint'), /program\.pt2/, 'a torch that reads archives refuses this fake one');
});

test("the prompts accept the shapes and class names the script accepts; both name the partial file alike", { skip }, () => {
  for (const [text, dims] of Object.entries(cases().shapes)) {
    const parsed = parseInputShape(text);
    assert.deepEqual(parsed.ok ? parsed.dims : null, dims, `shape '${text}'`);
  }
  for (const [spec, ok] of Object.entries(cases().classes)) assert.equal(classSpecProblem(spec) === null, ok, `class '${spec}'`);
  assert.equal(partialPath(path.join(work, 'm.onnx')), cases().partial, 'the extension cleans up the file the script writes');
});

const options = (o: Partial<ConvertOptions>): ConvertOptions => ({
  checkpoint: path.join(work, 'weights.pth'),
  output: path.join(work, 'from-runner.onnx'),
  inputShape: '3,8,8',
  modelClass: 'tinynets.nets:SmallNet',
  constructorArgs: '[4]',
  opset: DEFAULT_OPSET,
  searchPaths: [work],
  allowPickle: false,
  ...o,
});

test("the extension's runner skips a missing Python and one without torch, and converts with the next", { skip }, async () => {
  cases();
  const missing: Interpreter = { command: 'bise-no-such-python', args: [], label: 'missing' };
  // -S leaves out site-packages, where Debian's torch is: a real Python without torch.
  const noTorch: Interpreter = { command: PYTHON, args: ['-S'], label: 'no torch' };
  const withTorch: Interpreter = { command: PYTHON, args: [], label: 'with torch' };
  const lines: string[] = [];
  const attempt = await convertWithFirstTorch([missing, noTorch, withTorch], SCRIPT, options({}), { onLog: (l) => lines.push(l) });
  assert.equal(attempt.kind, 'result', JSON.stringify(attempt));
  if (attempt.kind !== 'result' || !attempt.result.ok) return assert.fail(JSON.stringify(attempt));
  assert.equal(attempt.interpreter, withTorch);
  assert.equal(attempt.result.output, path.join(work, 'from-runner.onnx'));
  assert.ok(lines.some((l) => l.startsWith('tinynets imported')), "the class module's print reaches the log, not the result line");
  await assertSameLogits(attempt.result.output);

  const none = await convertWithFirstTorch([missing, noTorch], SCRIPT, options({ output: path.join(work, 'never.onnx') }));
  assert.equal(none.kind, 'no-python');
  if (none.kind !== 'no-python') return;
  assert.deepEqual(none.tried.map((t) => t.interpreter.label), ['missing', 'no torch']);
  assert.equal(none.tried[0].problem, 'not found');
  assert.match(none.tried[1].problem, /^no torch \(Python .*python3.* 3\.\d+/);
});

test('a cancelled conversion is killed and leaves no model and no partial file', { skip }, async () => {
  cases();
  const output = path.join(work, 'cancelled.onnx');
  fs.writeFileSync(partialPath(output), 'as if the export had started');
  const abort = new AbortController();
  const started = Date.now();
  const run = convertWithFirstTorch([{ command: PYTHON, args: [], label: 'with torch' }], SCRIPT, options({ output }), { signal: abort.signal });
  setTimeout(() => abort.abort(), 100);
  assert.deepEqual(await run, { kind: 'cancelled' });
  assert.ok(Date.now() - started < 2000, 'killed, not waited for');
  assert.ok(!fs.existsSync(output) && !fs.existsSync(partialPath(output)));
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});
