/** parseFlags: every flag type, defaults, the =, --no- and -- forms, and the wording of every usage error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineSpec, parseFlags, UsageError } from '../../../src/cli/infra/flags';

const spec = defineSpec({
  flags: [
    { name: 'rho', type: 'number', default: 0.99, min: 0, max: 1, help: 'bias alignment of the training set' },
    { name: 'lr', type: 'number', help: 'learning rate' },
    { name: 'epochs', type: 'integer', default: 10, min: 1, help: 'training epochs' },
    { name: 'val-every', type: 'integer', help: 'validate every N epochs' },
    { name: 'device', type: 'enum', choices: ['cpu', 'cuda', 'dml'], default: 'cpu', help: 'execution provider' },
    { name: 'name', type: 'string', help: 'run name' },
    { name: 'out', type: 'path', short: 'o', help: 'output file' },
    { name: 'cache', type: 'boolean', default: true, help: 'reuse cached data' },
    { name: 'verbose', type: 'boolean', help: 'more output' },
  ],
  positionals: [
    { name: 'model', type: 'path', required: true, help: 'the ONNX model to debias' },
    { name: 'data-dir', type: 'path', help: 'where the data set lives' },
  ],
});

function usageError(argv: string[]): string {
  try {
    parseFlags(spec, argv);
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`expected ${argv.join(' ')} to be rejected`);
}

test('defaults fill in what was not given; optional flags without a default stay undefined', () => {
  const { flags, args } = parseFlags(spec, ['model.onnx']);
  assert.deepEqual(flags, { rho: 0.99, epochs: 10, device: 'cpu', cache: true, verbose: false });
  assert.equal(flags.lr, undefined);
  assert.deepEqual(args, { model: 'model.onnx' });
});

test('every type parses, in both the "--flag value" and the "--flag=value" form', () => {
  const spaced = parseFlags(spec, [
    'm.onnx', '--rho', '0.5', '--lr', '1e-3', '--epochs', '3', '--val-every', '2', '--device', 'cuda',
    '--name', 'run one', '--out', 'a/b.onnx', '--verbose', '--no-cache', 'data',
  ]);
  const equals = parseFlags(spec, [
    'm.onnx', '--rho=0.5', '--lr=1e-3', '--epochs=3', '--val-every=2', '--device=cuda',
    '--name=run one', '--out=a/b.onnx', '--verbose=true', '--cache=false', 'data',
  ]);
  const expected = { rho: 0.5, lr: 0.001, epochs: 3, valEvery: 2, device: 'cuda', name: 'run one', out: 'a/b.onnx', cache: false, verbose: true };
  assert.deepEqual(spaced.flags, expected);
  assert.deepEqual(equals.flags, expected);
  assert.deepEqual(spaced.args, { model: 'm.onnx', dataDir: 'data' });
});

test('negative numbers are values, not flags; "-" is a positional; "--" ends the flags', () => {
  assert.equal(parseFlags(spec, ['m', '--lr', '-0.25']).flags.lr, -0.25);
  assert.equal(parseFlags(spec, ['-', '--verbose']).args.model, '-');
  const { flags, args } = parseFlags(spec, ['--verbose', '--', '--weird-name.onnx']);
  assert.equal(flags.verbose, true);
  assert.equal(args.model, '--weird-name.onnx');
});

test('short aliases, a value starting with "-" through =, and the last repeat wins', () => {
  assert.equal(parseFlags(spec, ['m', '-o', 'x.onnx']).flags.out, 'x.onnx');
  assert.equal(parseFlags(spec, ['m', '-o=x.onnx']).flags.out, 'x.onnx');
  assert.equal(parseFlags(spec, ['m', '--name=-dash']).flags.name, '-dash');
  assert.equal(parseFlags(spec, ['m', '--rho', '0.1', '--rho', '0.2']).flags.rho, 0.2);
  assert.equal(parseFlags(spec, ['m', '--no-cache', '--cache']).flags.cache, true);
});

test('an unknown flag names the closest known one', () => {
  assert.equal(usageError(['m', '--rhoo', '1']), 'unknown flag --rhoo; did you mean --rho?');
  assert.equal(usageError(['m', '--deivce', 'cpu']), 'unknown flag --deivce; did you mean --device?');
  assert.equal(usageError(['m', '--val-evry', '2']), 'unknown flag --val-evry; did you mean --val-every?');
  assert.equal(usageError(['m', '-rho', '1']), 'unknown flag -rho; did you mean --rho?');
  assert.equal(usageError(['m', '--no-cach']), 'unknown flag --no-cach; did you mean --no-cache?');
  assert.equal(usageError(['m', '--completely-different']), 'unknown flag --completely-different');
});

test('a missing value says how the flag is used, and how to pass a value that starts with "-"', () => {
  assert.equal(usageError(['m', '--rho']), '--rho needs a value: --rho <number>');
  assert.match(usageError(['m', '--name', '--verbose']), /^--name needs a value: --name <string> \(to pass a value that starts with '-', write --name=--verbose\)$/);
});

test('bad numbers, ranges, enum values and booleans are explained', () => {
  assert.equal(usageError(['m', '--rho', 'high']), "--rho expects a number, got 'high'");
  assert.equal(usageError(['m', '--rho=']), "--rho expects a number, got ''");
  assert.equal(usageError(['m', '--epochs', '2.5']), "--epochs expects a whole number, got '2.5'");
  assert.equal(usageError(['m', '--rho', '1.5']), '--rho must be between 0 and 1, got 1.5');
  assert.equal(usageError(['m', '--epochs', '0']), '--epochs must be at least 1, got 0');
  assert.equal(usageError(['m', '--device', 'cdua']), "--device must be one of cpu, cuda, dml; got 'cdua' (did you mean cuda?)");
  assert.equal(usageError(['m', '--device', 'tpu-v5']), "--device must be one of cpu, cuda, dml; got 'tpu-v5'");
  assert.match(usageError(['m', '--verbose=maybe']), /--verbose is on or off: write --verbose or --no-verbose/);
  assert.match(usageError(['m', '--no-cache=1']), /--no-cache takes no value/);
  assert.equal(usageError(['m', '--out=']), '--out needs a path, got an empty string');
});

test('missing, extra and required arguments', () => {
  assert.equal(usageError([]), 'missing argument <model>: the ONNX model to debias');
  assert.equal(usageError(['a', 'b', 'c']), "unexpected argument 'c' (expected at most 2: <model> <data-dir>)");
  assert.equal(usageError(['--verbose', '']), '<model> needs a path, got an empty string');
  const noArgs = defineSpec({ flags: [{ name: 'out', type: 'path', required: true, help: 'where to write the report' }] });
  assert.throws(() => parseFlags(noArgs, ['x', '--out', 'r.json']), { name: 'UsageError', message: "unexpected argument 'x' (this command takes no arguments)" });
  assert.throws(() => parseFlags(noArgs, []), { name: 'UsageError', message: 'missing required flag --out <path> (where to write the report)' });
});

test('the result type follows the spec (checked by tsc)', () => {
  const { flags, args } = parseFlags(spec, ['m']);
  const rho: number = flags.rho;
  const device: 'cpu' | 'cuda' | 'dml' = flags.device;
  const cache: boolean = flags.cache;
  const model: string = args.model;
  // @ts-expect-error no default, not required: may be undefined
  const lr: number = flags.lr;
  // @ts-expect-error optional positional
  const dataDir: string = args.dataDir;
  // @ts-expect-error not one of the choices
  const gpu: 'gpu' = flags.device;
  // @ts-expect-error not declared
  void flags.unknown;
  assert.deepEqual([rho, device, cache, model, lr, dataDir, gpu], [0.99, 'cpu', true, 'm', undefined, undefined, 'cpu']);
});
