/**
 * A short real BISE run on the bundled demo model must help where the bias hurts: the subnetwork classifies
 * bias-conflicting test digits better than the vanilla model (same data, same seed), and beats random pruning
 * at the same per-layer sparsity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEMO } from '../../../src/core/jobs/demo-setting';
import { runExtractJob } from '../../../src/core/jobs/extract-job';

test('BISE on the bundled model improves bias-conflicting accuracy over vanilla and random pruning', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bise-demo-')), 'report');
  const { report } = await runExtractJob(
    {
      ...DEMO.job,
      modelPath: DEMO.modelPath,
      data: DEMO.data,
      config: { ...DEMO.job.config, tauPeriod: 1, auxEpochs: 5 },
      outDir: out,
      overwrite: false,
      probe: false,
      randomSeeds: 2,
      threads: 2,
    },
    { onEvent: () => undefined },
  );
  const { vanilla, subnetwork, baselines } = report.metrics;
  const random = baselines.find((b) => b.name === 'random')!.metrics;
  assert.ok(subnetwork.conflictingAccuracy > vanilla.conflictingAccuracy + 0.05, `conflicting: vanilla ${vanilla.conflictingAccuracy}, subnetwork ${subnetwork.conflictingAccuracy}`);
  assert.ok(subnetwork.unbiasedAccuracy > random.unbiasedAccuracy, `unbiased: subnetwork ${subnetwork.unbiasedAccuracy}, random ${random.unbiasedAccuracy}`);
  assert.ok(report.pruning.unitsAfter < report.pruning.unitsBefore);
});
