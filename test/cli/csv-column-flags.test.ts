/** --path-column, --target-column and --bias-column: parsed on every command that reads data, mapped into the CSV dataset spec. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags } from '../../src/cli/infra/flags';
import { UsageError } from '../../src/cli/infra/usage-error';
import { extractCommand } from '../../src/cli/commands/extract';
import { evalCommand } from '../../src/cli/commands/eval';
import { probeCommand } from '../../src/cli/commands/probe';
import { trainCommand } from '../../src/cli/commands/train';
import { dataSpec } from '../../src/cli/commands/shared-flags';

const mapped = ['--data', 'faces/list.csv', '--path-column', 'file', '--target-column', 'smiling', '--bias-column', 'gender, age'];

test('extract, eval, probe and train map the CSV columns given on the command line', () => {
  for (const [command, args] of [
    [extractCommand, ['m.onnx']],
    [evalCommand, ['m.onnx']],
    [probeCommand, ['m.onnx']],
    [trainCommand, ['--out', 'trained.onnx']],
  ] as const) {
    const { flags } = parseFlags(command.spec, [...args, ...mapped]);
    const spec = dataSpec(flags);
    assert.equal(spec.kind, 'image-csv', command.name);
    assert.deepEqual(spec.kind === 'image-csv' ? spec.columns : null, { path: 'file', target: 'smiling', bias: ['gender', 'age'] }, command.name);
  }
});

test('without the flags the CSV is read by name; a partial mapping keeps only what was given', () => {
  const plain = dataSpec(parseFlags(evalCommand.spec, ['m.onnx', '--data', 'list.csv']).flags);
  assert.ok(plain.kind === 'image-csv' && plain.columns === undefined);
  const partial = dataSpec(parseFlags(evalCommand.spec, ['m.onnx', '--data', 'list.csv', '--target-column', 'y']).flags);
  assert.deepEqual(partial.kind === 'image-csv' ? partial.columns : null, { target: 'y' });
});

test('column flags without a CSV, or with empty names, are usage errors that say what to do', () => {
  const spec = (argv: string[]) => dataSpec(parseFlags(evalCommand.spec, ['m.onnx', ...argv]).flags);
  assert.throws(() => spec(['--bias-column', 'colour']), (e: Error) => e instanceof UsageError && /apply to a CSV given with --data/.test(e.message));
  assert.throws(() => spec(['--data', 'arrays/', '--path-column', 'file']), /'arrays\/' is not a \.csv file/);
  assert.throws(() => spec(['--data', 'l.csv', '--bias-column', 'colour,,age']), /--bias-column expects column names separated by commas.*got 'colour,,age'/);
  assert.throws(() => spec(['--data', 'l.csv', '--path-column', ' ']), /--path-column expects a column name/);
});
