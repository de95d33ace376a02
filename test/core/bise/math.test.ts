/** The loss pieces against PyTorch values (scripts/export-bise-math.py) and finite differences. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mutualInformation } from '../../../src/core/bise/mutual-information';
import { weightedCrossEntropy } from '../../../src/core/bise/cross-entropy';
import { Sgd } from '../../../src/core/bise/sgd';
import { gateValues, maskGradient } from '../../../src/core/bise/gate';
import { FIXTURES, maxAbsDiff } from '../../support/fixtures';

const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'bise-math.json'), 'utf8'));

test('mutual information and its gradient match the authors\' PyTorch formula', () => {
  for (const c of ref.mutual_information) {
    const { loss, grad } = mutualInformation(c.logits, c.bias, c.k, c.select);
    assert.ok(Math.abs(loss - c.mi) < 1e-9, `MI ${loss} vs ${c.mi}`);
    assert.ok(maxAbsDiff(grad, c.grad) < 1e-6, `grad differs by ${maxAbsDiff(grad, c.grad)}`);
  }
});

test('MI gradient agrees with central finite differences', () => {
  const c = ref.mutual_information[0];
  const { grad } = mutualInformation(c.logits, c.bias, c.k, c.select);
  const x = Float64Array.from(c.logits);
  for (let i = 0; i < x.length; i += 5) {
    const h = 1e-6;
    const saved = x[i];
    x[i] = saved + h;
    const up = mutualInformation(x, c.bias, c.k, c.select).loss;
    x[i] = saved - h;
    const down = mutualInformation(x, c.bias, c.k, c.select).loss;
    x[i] = saved;
    assert.ok(Math.abs((up - down) / (2 * h) - grad[i]) < 1e-5, `entry ${i}`);
  }
});

test('MI is 0 for an independent prediction, 1 for a perfect one, and 0 with no selected sample', () => {
  const k = 2;
  const uniform = mutualInformation([0, 0, 0, 0], [0, 1], k);
  assert.ok(Math.abs(uniform.loss) < 1e-12);
  const perfect = mutualInformation([50, -50, -50, 50], [0, 1], k);
  assert.ok(Math.abs(perfect.loss - 1) < 1e-9);
  const none = mutualInformation([1, 2, 3, 4], [0, 1], k, [false, false]);
  assert.equal(none.loss, 0);
  assert.ok(none.grad.every((g) => g === 0));
});

test('weighted cross-entropy matches PyTorch (mean of weighted per-sample losses)', () => {
  const c = ref.weighted_cross_entropy;
  const { loss, grad } = weightedCrossEntropy(c.logits, c.labels, c.k, c.weights);
  assert.ok(Math.abs(loss - c.loss) < 1e-9);
  assert.ok(maxAbsDiff(grad, c.grad) < 1e-7);
});

test('SGD with momentum and weight decay follows torch.optim.SGD', () => {
  const c = ref.sgd;
  const p = Float32Array.from(c.start);
  const opt = new Sgd({ lr: c.lr, momentum: c.momentum, weightDecay: c.weight_decay });
  c.grads.forEach((g: number[], i: number) => {
    opt.step(p, g);
    assert.ok(maxAbsDiff(p, c.params[i]) < 1e-6, `step ${i}`);
  });
});

test('the gate is a step at 0 with a straight-through sigmoid gradient', () => {
  const c = ref.gate;
  const m = Float32Array.from(c.mask);
  assert.deepEqual([...gateValues(m)], c.gates);
  assert.ok(maxAbsDiff(maskGradient(m, c.tau, Float32Array.from(c.upstream)), c.mask_grad) < 1e-5);
});
