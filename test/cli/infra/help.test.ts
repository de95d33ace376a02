/** renderHelp: usage line, every argument and flag with its placeholder, default and range, wrapped to the width. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineSpec, renderHelp } from '../../../src/cli/infra/flags';

const spec = defineSpec({
  flags: [
    { name: 'rho', type: 'number', default: 0.99, min: 0, max: 1, help: 'bias alignment of the training set' },
    { name: 'epochs', type: 'integer', default: 10, min: 1, help: 'training epochs' },
    { name: 'device', type: 'enum', choices: ['cpu', 'cuda'], default: 'cpu', help: 'execution provider' },
    { name: 'out', type: 'path', short: 'o', required: true, help: 'where to write the pruned model' },
    { name: 'name', type: 'string', help: 'a label for the run, shown in the report header and used in file names so that several runs can share one output folder' },
    { name: 'cache', type: 'boolean', default: true, help: 'reuse the downloaded data set' },
    { name: 'verbose', type: 'boolean', help: 'print every batch' },
  ],
  positionals: [
    { name: 'model', type: 'path', required: true, help: 'the ONNX model to debias' },
    { name: 'data', type: 'path', help: 'a data set folder' },
  ],
});

const help = renderHelp('bise extract', 'extract an unbiased subnetwork', spec);
const lines = help.split('\n');
/** Help text may wrap anywhere; compare content with runs of whitespace collapsed. */
const unwrapped = help.replace(/\s+/g, ' ');

test('help starts with the summary and a usage line showing required flags and arguments', () => {
  assert.equal(lines[0], 'bise extract — extract an unbiased subnetwork');
  assert.ok(lines.includes('usage: bise extract --out <path> [flags] <model> [data]'), help);
});

test('help lists every argument and every flag with its placeholder, default, range and help', () => {
  for (const text of [
    '<model>', 'the ONNX model to debias', '[data]', 'a data set folder (optional)',
    '--rho <number>', 'bias alignment of the training set (default: 0.99; between 0 and 1)',
    '--epochs <integer>', 'training epochs (default: 10; at least 1)',
    '--device <cpu|cuda>', 'execution provider (default: cpu)',
    '-o, --out <path>', 'where to write the pruned model (required)',
    '--name <string>',
    '--no-cache', 'reuse the downloaded data set (on unless --no-cache)',
    '--verbose', 'print every batch',
  ]) {
    assert.ok(unwrapped.includes(text), `help lacks ${JSON.stringify(text)}:\n${help}`);
  }
});

test('help columns line up and long help wraps within the width', () => {
  assert.ok(lines.every((l) => l.length <= 80), help);
  const helpColumn = lines.find((l) => l.includes('--rho'))!.indexOf('bias');
  assert.equal(lines.find((l) => l.includes('--verbose'))!.indexOf('print'), helpColumn);
  const nameLine = lines.findIndex((l) => l.includes('--name'));
  assert.equal(lines[nameLine + 1].search(/\S/), helpColumn, 'wrapped help continues in the help column');
  assert.ok(renderHelp('bise x', 'y', spec, 60).split('\n').every((l) => l.length <= 60));
});
