/** --dataset corrupted-fashion-mnist: parsed on every command that reads data, mapped into the built-in dataset spec. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags } from '../../src/cli/infra/flags';
import { UsageError } from '../../src/cli/infra/usage-error';
import { extractCommand } from '../../src/cli/commands/extract';
import { evalCommand } from '../../src/cli/commands/eval';
import { trainCommand } from '../../src/cli/commands/train';
import { dataSpec } from '../../src/cli/commands/shared-flags';

test('train, extract and eval take --dataset corrupted-fashion-mnist with --rho and the split sizes', () => {
  for (const [command, args] of [
    [trainCommand, ['--out', 'resnet.onnx']],
    [extractCommand, ['resnet.onnx']],
    [evalCommand, ['resnet.onnx']],
  ] as const) {
    const argv = [...args, '--dataset', 'corrupted-fashion-mnist', '--rho', '0.98', '--train-size', '10000', '--data-seed', '4'];
    const spec = dataSpec(parseFlags(command.spec, argv).flags);
    assert.deepEqual(spec, { kind: 'corrupted-fashion-mnist', rho: 0.98, seed: 4, trainSize: 10000, valSize: 1000, testSize: 2000, idx: undefined }, command.name);
  }
});

test('sizes are bounded by the 60,000 Fashion-MNIST training images, not the 10,000 bundled digits', () => {
  const spec = (argv: string[]) => dataSpec(parseFlags(evalCommand.spec, ['m.onnx', ...argv]).flags);
  assert.equal(spec(['--dataset', 'corrupted-fashion-mnist', '--train-size', '40000']).kind, 'corrupted-fashion-mnist');
  assert.throws(
    () => spec(['--dataset', 'corrupted-fashion-mnist', '--train-size', '58000', '--test-size', '5000']),
    (e: Error) => e instanceof UsageError && /is 64000, more than Fashion-MNIST's 60,000 training images/.test(e.message),
  );
  assert.throws(() => spec(['--train-size', '40000']), /more than the 10,000 bundled digits/);
});

test('--mnist-images/--mnist-labels replace the Debian files', () => {
  const spec = dataSpec(parseFlags(evalCommand.spec, ['m.onnx', '--dataset', 'corrupted-fashion-mnist', '--mnist-images', 'f/imgs.gz', '--mnist-labels', 'f/lbls.gz']).flags);
  assert.deepEqual(spec.kind === 'corrupted-fashion-mnist' ? spec.idx : null, { images: 'f/imgs.gz', labels: 'f/lbls.gz' });
});
