/** `bise audit` as a child process: the text summary, the report folder, JSON output, and usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SMALL = ['--rho', '0.97', '--train-size', '100', '--val-size', '100', '--test-size', '100', '--threads', '2'];

function bise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('bise audit prints accuracy, fairness and the probe per layer, and writes <model>.audit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-audit-cli-'));
  const model = path.join(dir, 'demo.onnx');
  fs.copyFileSync(path.join(ROOT, 'models', 'biased-mnist-rho0.97-cnn.onnx'), model);
  const r = bise('audit', model, ...SMALL, '--probe-epochs', '3');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^audit of .*demo\.onnx on the test split \(100 samples\) of BiasedMNIST ρ=0\.97$/);
  assert.match(r.stdout, /\naccuracy: unbiased \d+\.\d% {2}aligned \d+\.\d% {2}conflicting \d+\.\d% {2}worst group \d+\.\d%\n/);
  assert.match(r.stdout, /\nfairness by background colour \[one-vs-rest: each of the 10 classes in turn is the positive class; the worst class is shown\]: demographic parity difference \d\.\d{3} \(class \d\), ratio \d\.\d{3}, equalized odds difference \d\.\d{3} \(class \d\)\n/);
  assert.match(r.stdout, /\nbias probe \(background colour\): bottleneck linear \d+\.\d%, MLP \d+\.\d%, MI \d\.\d{3} \(chance \d+\.\d%\)\n {2}conv1: \d+\.\d%\n {2}conv2: /);
  assert.match(lines[lines.length - 1], /^report: .*demo\.audit \(report\.md, report\.json, 3 figures\) in \d+\.\d s$/);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'demo.audit')).sort(), ['figures', 'report.json', 'report.md']);

  // Again into the same folder (the job tests check the refusal without --overwrite): JSON output with --no-probe.
  const json = bise('audit', model, ...SMALL, '--no-probe', '--overwrite', '--json');
  assert.equal(json.status, 0, json.stderr);
  const result = json.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.type === 'result');
  assert.equal(result.folder, path.join(dir, 'demo.audit'));
  assert.equal(result.probe, null);
  assert.equal(result.metrics.samples, 100);
  assert.equal(result.fairness[0].perClass.length, 10);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'demo.audit', 'figures')).sort(), ['accuracy.svg', 'fairness.svg']);
});

test('bise audit --help lists its flags; bad flags are usage errors', () => {
  const help = bise('audit', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /bise audit/);
  assert.match(help.stdout, /--no-probe|--probe/);
  assert.match(help.stdout, /--dataset/);
  const bad = bise('audit', 'm.onnx', '--probe-epochs', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--probe-epochs/);
});
