/**
 * A first epoch that leaves the subnetwork at chance: told by collapseReason, and handled as config.onCollapse says
 * (restart once from a safer initial mask logit, stop with a message, or carry on), on the bundled demo model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { collapseReason, saferMaskInit } from '../../../src/core/bise/collapse';
import { extractSubnetwork } from '../../../src/core/bise/extract';
import { DEFAULT_EXTRACT_CONFIG } from '../../../src/core/bise/config';
import { biasedMnistSplits } from '../../../src/core/data/biased-mnist';
import { readModelFile } from '../../../src/core/onnx/reader';
import type { JobEvent } from '../../../src/core/bise/events';

test('collapseReason: at chance or one predicted class counts; a vanilla model at chance gives nothing to judge', () => {
  const base = { vanillaAccuracy: 0.3, classes: 10, predictedClasses: 7, vanillaPredictedClasses: 10 };
  // chance 10%, vanilla 30%: collapsed at or below 10% + 0.1 · 20% = 12%.
  assert.match(collapseReason({ ...base, subnetworkAccuracy: 0.118 }) ?? '', /unbiased validation accuracy is 11\.8%, at chance \(10\.0%; vanilla 30\.0%\)/);
  assert.equal(collapseReason({ ...base, subnetworkAccuracy: 0.125 }), null);
  assert.match(collapseReason({ ...base, subnetworkAccuracy: 0.2, predictedClasses: 1 }) ?? '', /predicts one class for every validation sample/);
  assert.equal(collapseReason({ ...base, vanillaAccuracy: 0.14, subnetworkAccuracy: 0.1 }), null);
  assert.equal(collapseReason({ ...base, subnetworkAccuracy: 0.1, predictedClasses: 1, vanillaPredictedClasses: 1, vanillaAccuracy: 0.1 }), null);
  assert.deepEqual([saferMaskInit(0), saferMaskInit(-1), saferMaskInit(0.1), saferMaskInit(0.3)], [0.1, 0.1, 0.2, 0.6]);
});

const model = readModelFile(path.join(__dirname, '../../../models/biased-mnist-rho0.97-cnn.onnx'));
const data = biasedMnistSplits({ rho: 0.97, seed: 3, trainSize: 200, valSize: 200, testSize: 100 });
// Every mask logit below 0: every unit is pruned from the first step, the subnetwork predicts one class.
const collapsing = { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, tauPeriod: 1, maxEpochs: 2, auxEpochs: 1, maskInit: -1 };

test("onCollapse 'restart': the run starts again from mask logit 0.1, says so, and records it", async () => {
  const events: JobEvent[] = [];
  const r = await extractSubnetwork({ model, train: data.train, val: data.val, config: collapsing, session: { threads: 2 }, onEvent: (e) => events.push(e) });
  assert.equal(r.collapse?.action, 'restarted');
  assert.equal(r.collapse?.maskInit, -1);
  assert.equal(r.collapse?.restartMaskInit, 0.1);
  assert.equal(r.collapse?.keptUnits, 0);
  assert.match(r.collapse?.reason ?? '', /one class|at chance/);
  assert.ok(events.some((e) => e.type === 'log' && e.level === 'warn' && /collapsed after epoch 1 with initial mask logit -1, 0 of \d+ units kept: .*restarting with initial mask logit 0\.1/.test(e.message)));
  // The history is the restarted run's: two epochs that keep units.
  assert.deepEqual(r.history.map((h) => h.epoch), [1, 2]);
  assert.ok(r.history[0].keptUnits > 0);
});

test("onCollapse 'stop' ends the run with what to try; 'continue' carries on and records it", async () => {
  await assert.rejects(
    extractSubnetwork({ model, train: data.train, val: data.val, config: { ...collapsing, onCollapse: 'stop' }, session: { threads: 2 } }),
    /collapsed after epoch 1 .*stopped \(--on-collapse stop\)\. Try --mask-init 0\.1/,
  );
  const r = await extractSubnetwork({ model, train: data.train, val: data.val, config: { ...collapsing, onCollapse: 'continue' }, session: { threads: 2 } });
  assert.equal(r.collapse?.action, 'continued');
  assert.equal(r.history.length, 2);
});
