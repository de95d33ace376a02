/**
 * `bise train`'s summary and .train.json: one bias attribute prints and records as before; several (Multi-Color
 * MNIST) add each attribute's aligned/conflicting accuracy, and the record gains perBias and the joint cells.
 * `bise probe` on such a model prints the probe on z for every attribute.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const SMALL = ['--train-size', '200', '--val-size', '100', '--test-size', '200', '--epochs', '1', '--threads', '1'];

function bise(...args: string[]): string[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n');
}

const train = (out: string, ...args: string[]): string[] => bise('train', '--out', out, ...SMALL, ...args);

const PERCENT = String.raw`\d+\.\d%`;

test('one bias attribute: the two summary lines and the three-number record, as before', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bise-train-cli-')), 'b.onnx');
  const lines = train(out, '--dataset', 'biased-mnist');
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[1], new RegExp(`^unbiased test accuracy ${PERCENT} \\(aligned ${PERCENT}, conflicting ${PERCENT}\\)$`));
  const record = JSON.parse(fs.readFileSync(`${out}.train.json`, 'utf8'));
  assert.deepEqual(Object.keys(record.test).sort(), ['alignedAccuracy', 'conflictingAccuracy', 'unbiasedAccuracy']);
});

test('two bias attributes: a line per attribute, and perBias and the cells in the record', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bise-train-cli-')), 'm.onnx');
  const lines = train(out, '--dataset', 'multi-color-mnist', '--architecture', 'mlp-3x100');
  assert.equal(lines.length, 4, lines.join('\n'));
  const attribute = (name: string) => new RegExp(`^${name}: aligned ${PERCENT} \\(\\d+\\)  conflicting ${PERCENT} \\(\\d+\\)$`);
  assert.match(lines[2], attribute('left background colour'));
  assert.match(lines[3], attribute('right background colour'));
  const record = JSON.parse(fs.readFileSync(`${out}.train.json`, 'utf8'));
  assert.deepEqual(record.test.biasAttributes, ['left background colour', 'right background colour']);
  assert.equal(record.test.perBias.length, 2);
  assert.equal(record.test.perBias[0].alignedAccuracy, record.test.alignedAccuracy, 'attribute 0 is the top-level split');
  assert.equal(record.test.alignmentCells.length, 4);
  assert.equal(record.test.perBias[1].alignedSamples + record.test.perBias[1].conflictingSamples, 200);
});

test('bise probe with two bias attributes: attribute 0 on z and per layer, then attribute 1 on z', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bise-probe-cli-')), 'm.onnx');
  train(out, '--dataset', 'multi-color-mnist', '--architecture', 'mlp-3x100');
  const lines = bise('probe', out, '--dataset', 'multi-color-mnist', '--epochs', '2', ...SMALL.filter((_, i) => i < 6), '--threads', '1');
  const scores = String.raw`linear ${PERCENT}, MLP ${PERCENT}, MI \d\.\d{3} \(chance ${PERCENT}\)`;
  assert.match(lines[0], new RegExp(`^vanilla \\(left background colour\\): ${scores}$`));
  assert.match(lines[lines.length - 1], new RegExp(`^vanilla \\(right background colour\\): ${scores}$`));
  assert.ok(lines.slice(1, -1).every((l) => l.startsWith('  ')), 'per-layer lines in between');
});
