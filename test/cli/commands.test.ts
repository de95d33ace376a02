/** The real `bise` command line, run as a child process: usage errors, help, info, and JSON output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function bise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('no command, an unknown command and bad flags are usage errors (exit 2) that say what to do', () => {
  assert.equal(bise().status, 2);
  const unknown = bise('extrakt');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'extrakt'/);
  const missing = bise('extract');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /missing argument <model>/);
  const typo = bise('extract', 'm.onnx', '--gama', '2');
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /unknown flag --gama; did you mean --gamma\?/);
  const norm = bise('eval', 'm.onnx', '--normalize-mean', '0.5');
  assert.equal(norm.status, 2);
  assert.match(norm.stderr, /--normalize-mean\/--normalize-std apply to --data/);
  const range = bise('extract', 'm.onnx', '--rho', '1.5');
  assert.equal(range.status, 2);
  assert.match(range.stderr, /--rho must be between 0 and 1/);
});

test('every command has --help', () => {
  for (const c of ['demo', 'extract', 'train', 'finetune', 'eval', 'probe', 'info']) {
    const r = bise(c, '--help');
    assert.equal(r.status, 0, c);
    assert.match(r.stdout, new RegExp(`bise ${c}`));
  }
});

test('info reports the discovered structure, in text and as JSON lines', () => {
  const text = bise('info', 'test/fixtures/resnet18.onnx');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /12 gate groups, 2880 units/);
  assert.match(text.stdout, /^11,176,842 parameters\n74\.0 M FLOPs per sample: 2 × 37,016,576 multiply-adds of Conv, ConvTranspose, Gemm and MatMul at input \[1, 3, 32, 32\]; other ops are not counted$/m);
  assert.doesNotMatch(text.stdout, /channels on axis/, 'NCHW sites need no axis');
  // ConvNeXt's MLP neurons sit on the last axis of NHWC tensors: info says so.
  const lastAxis = bise('info', 'test/fixtures/zoo/convnext-op17.onnx');
  assert.equal(lastAxis.status, 0, lastAxis.stderr);
  assert.match(lastAxis.stdout, /group 0: 32 units, .*\(gates on \S+Mul_1_output_0 \(channels on axis 3\)\)/);
  const json = bise('info', 'test/fixtures/simple-convnet.onnx', '--json');
  assert.equal(json.status, 0);
  const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const result = lines.find((l) => l.type === 'result');
  assert.equal(result.groups.length, 4);
  assert.equal(result.bottleneck, '/Flatten_output_0');
  assert.equal(result.cost.flops, 2 * 414_894_080, 'as counted by hand in test/core/onnx/model-cost.test.ts');
});

test('a missing or broken model is a clear error (exit 1) without a stack trace', () => {
  const missing = bise('info', 'no/such/model.onnx');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no\/such\/model\.onnx: cannot be read \(ENOENT\)/);
  assert.doesNotMatch(missing.stderr, /at .*\.ts:\d+/);
  const notOnnx = bise('info', 'package.json');
  assert.equal(notOnnx.status, 1);
  assert.match(notOnnx.stderr, /package\.json: is not a valid ONNX protobuf/);
});
