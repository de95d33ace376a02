import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSmallCnn, DEMO_CNN } from '../../../src/core/models/small-cnn';
import { biasedMnistSplits } from '../../../src/core/data/biased-mnist';
import { extractSubnetwork } from '../../../src/core/bise/extract';
import { DEFAULT_EXTRACT_CONFIG, tauAt } from '../../../src/core/bise/config';

const model = buildSmallCnn({ ...DEMO_CNN, blocks: DEMO_CNN.blocks.map((b) => ({ ...b, channels: b.channels / 4 })) });
const data = biasedMnistSplits({ rho: 0.9, seed: 5, trainSize: 200, valSize: 100, testSize: 100 });
const config = { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, tauPeriod: 1, maxEpochs: 3, auxEpochs: 1 };

test('τ follows the authors\' schedule: halves every period, stops below τ_min or at the epoch cap', () => {
  const c = { ...DEFAULT_EXTRACT_CONFIG };
  assert.equal(tauAt(c, 0), 1);
  assert.equal(tauAt(c, 9), 1);
  assert.equal(tauAt(c, 10), 0.5);
  assert.equal(tauAt(c, 90), 0.5 ** 9);
  assert.equal(tauAt(c, 100), undefined); // 0.5^10 < 1e-3: 100 epochs, as BISE.md says
  assert.equal(tauAt({ ...c, maxEpochs: 20 }, 20), undefined);
});

test('mask learning is deterministic with a seed', async () => {
  const run = () => extractSubnetwork({ model, train: data.train, val: data.val, config, session: { threads: 2 } });
  const [a, b] = [await run(), await run()];
  assert.deepEqual(a.masks.map((m) => [...m]), b.masks.map((m) => [...m]));
  assert.deepEqual(a.history.map((h) => h.loss), b.history.map((h) => h.loss));
  const c = await extractSubnetwork({ model, train: data.train, val: data.val, config: { ...config, seed: 1 }, session: { threads: 2 } });
  assert.notDeepEqual(c.history.map((h) => h.loss), a.history.map((h) => h.loss));
});

test('without a validation set the last mask is kept', async () => {
  const r = await extractSubnetwork({ model, train: data.train, config, session: { threads: 2 } });
  assert.equal(r.selectedEpoch, r.history.length);
  assert.ok(r.history.every((h) => h.valUnbiasedAccuracy === null));
});

test('γ = 0 removes the MI term from the mask gradient (ablation) but still reports MI', async () => {
  const r = await extractSubnetwork({ model, train: data.train, val: data.val, config: { ...config, gamma: 0 }, session: { threads: 2 } });
  assert.ok(r.history.every((h) => Math.abs(h.loss - h.crossEntropy) < 1e-9));
  assert.ok(r.history.some((h) => h.mutualInformation > 0));
});
