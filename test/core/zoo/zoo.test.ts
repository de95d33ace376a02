/**
 * Every model of the zoo (test/fixtures/zoo, scripts/export-zoo.py: every torchvision classification family at
 * opset 13 and 17, hand-built opset 18/21 and tf2onnx NHWC graphs) through the engine: it loads, its logits and
 * gate gradients match PyTorch (≤ 1e-4, relative ≤ 1e-3), a random-mask pruned export equals the gated model
 * (≤ 1e-4) at batch 1 and 3, and (on the models of EXTRACT_ON, to keep this file near a minute) a one-epoch
 * extract runs end to end. docs/MODELS.md is the same table (scripts/zoo-status.ts).
 *
 * A model that does not pass yet is listed in KNOWN_FAILING with the stage that fails first and a piece of its
 * error; the test asserts it still fails there with that error, so fixing a family means removing its entry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zooModels } from '../../support/zoo';
import { ZooStage, firstFailure } from '../../support/zoo-checks';

/**
 * The short extract runs on these: one per kind of graph (residual CNN, SE/HardSwish, 28×28 input, dense concat + BN,
 * conv classifier, units on a MatMul's last axis, hand-built opset 18/21, NHWC).
 */
const EXTRACT_ON = new Set(['resnet-op13', 'mobilenet-v3-op17', 'vgg-bn-op13', 'densenet-op13', 'squeezenet-1-1-op13', 'convnext-op17', 'reducemean-op18', 'groupnorm-op18', 'layernorm-op21', 'tf2onnx-nhwc-op13']);

const KNOWN_FAILING: Readonly<Record<string, { readonly stage: ZooStage; readonly error: string }>> = {};

const models = zooModels();

test('KNOWN_FAILING and EXTRACT_ON name zoo models', () => {
  for (const name of [...Object.keys(KNOWN_FAILING), ...EXTRACT_ON]) assert.ok(models.includes(name), `${name} is not in test/fixtures/zoo`);
});

for (const name of models) {
  test(`${name}: loads, matches PyTorch, prunes exactly${EXTRACT_ON.has(name) ? ', extracts' : ''}`, async () => {
    const failure = await firstFailure(name, { extract: EXTRACT_ON.has(name), threads: 2 });
    const known = KNOWN_FAILING[name];
    if (!known) {
      assert.equal(failure, undefined, failure && `${failure.stage}: ${failure.message}`);
      return;
    }
    assert.ok(failure, `${name} now passes every check: remove it from KNOWN_FAILING (and rerun scripts/zoo-status.ts)`);
    assert.equal(failure.stage, known.stage, `${name} now fails at another stage: ${failure.stage}: ${failure.message}`);
    assert.ok(failure.message.includes(known.error), `${name} fails at ${failure.stage} with another error: ${failure.message}`);
  });
}
