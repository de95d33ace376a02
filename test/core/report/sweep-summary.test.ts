/** Reports grouped by a swept setting: means, sample standard deviations, removal fractions, probe. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configNumber, stat, summariseSweep } from '../../../src/core/report/sweep-summary';
import { sampleReport } from './sample-report';

function run(gamma: number, seed: number, unbiased: number) {
  const r = sampleReport();
  r.config = { ...r.config, gamma };
  r.seed = seed;
  r.metrics.subnetwork.unbiasedAccuracy = unbiased;
  r.metrics.baselines[0].metrics.unbiasedAccuracy = unbiased / 2;
  return r;
}

test('stat: mean and sample standard deviation', () => {
  assert.deepEqual(stat([0.4]), { mean: 0.4, sd: 0, n: 1 });
  const s = stat([0.2, 0.4, 0.6]);
  assert.ok(Math.abs(s.mean - 0.4) < 1e-12 && Math.abs(s.sd - 0.2) < 1e-12 && s.n === 3);
  assert.throws(() => stat([]), /at least one value/);
});

test('summariseSweep groups by the setting, ascending, and averages over seeds', () => {
  const reports = [run(1, 0, 0.5), run(0, 0, 0.3), run(1, 1, 0.7), run(0, 2, 0.3)];
  const points = summariseSweep(reports, (r) => configNumber(r, 'gamma'));
  assert.deepEqual(points.map((p) => [p.x, p.runs, p.seeds]), [[0, 2, [0, 2]], [1, 2, [0, 1]]]);
  assert.ok(Math.abs(points[1].subnetwork.unbiased.mean - 0.6) < 1e-12);
  assert.ok(Math.abs(points[1].subnetwork.unbiased.sd - Math.SQRT2 * 0.1) < 1e-12);
  assert.equal(points[0].subnetwork.unbiased.sd, 0);
  assert.ok(Math.abs(points[1].baselines.random.mean - 0.3) < 1e-12);
  const p = reports[0].pruning;
  assert.ok(Math.abs(points[0].paramsRemoved.mean - (p.paramsBefore - p.paramsAfter) / p.paramsBefore) < 1e-12);
  assert.equal(points[0].probe?.mean, reports[0].probe!.subnetwork.linearAccuracy);
  const noProbe = run(2, 0, 0.1);
  noProbe.probe = null;
  assert.equal(summariseSweep([noProbe], (r) => configNumber(r, 'gamma'))[0].probe, null);
  assert.throws(() => summariseSweep([run(1, 0, 0.5)], (r) => configNumber(r, 'biasNoise')), /no finite value of the swept setting/);
});
