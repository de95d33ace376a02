/** The worker's mapping of a protocol job onto the core's options: an image CSV's column mapping and the bias-label choice are carried over. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import { extractJobOptions } from '../../src/worker/job-options';
import type { ExtractJobSpec } from '../../src/protocol';

const job: ExtractJobSpec = {
  kind: 'extract',
  modelPath: '/ws/m.onnx',
  data: { kind: 'image-csv', csv: '/ws/faces/list.csv', columns: { path: 'fname', target: 'smiling', bias: ['gender'] } },
  config: DEFAULT_EXTRACT_CONFIG,
  outDir: '/store/run',
  overwrite: false,
  provider: 'cpu',
  randomSeeds: 2,
  probe: true,
  probeEpochs: 5,
};

test('an image CSV job reads the CSV with the chosen columns; without a choice, by name', () => {
  assert.deepEqual(extractJobOptions(job).data, { kind: 'image-csv', file: '/ws/faces/list.csv', seed: 0, columns: { path: 'fname', target: 'smiling', bias: ['gender'] } });
  assert.deepEqual(extractJobOptions({ ...job, data: { kind: 'image-csv', csv: '/ws/l.csv' } }).data, { kind: 'image-csv', file: '/ws/l.csv', seed: 0 });
});

test('where the training bias labels come from and the flipped fraction reach the core; a spec without them uses the dataset’s, none flipped', () => {
  const o = extractJobOptions({ ...job, biasFrom: 'identify', biasNoise: 0.2 });
  assert.equal(o.biasFrom, 'identify');
  assert.equal(o.biasNoise, 0.2);
  const older = extractJobOptions(job);
  assert.equal(older.biasFrom, 'given');
  assert.equal(older.biasNoise, 0);
  assert.deepEqual([older.randomSeeds, older.probe, older.probeEpochs], [2, true, 5], 'the other run options are unchanged');
});

test('the memory budget (bise.memoryMb) reaches the extract and demo jobs; a spec without it leaves the engine its default', () => {
  assert.equal(extractJobOptions({ ...job, memoryMb: 512 }).memoryMb, 512);
  assert.equal(extractJobOptions({ kind: 'demo', outDir: '/store/demo', seed: 0, provider: 'cpu', memoryMb: 300 }).memoryMb, 300);
  assert.ok(!('memoryMb' in extractJobOptions(job)));
  assert.ok(!('memoryMb' in extractJobOptions({ kind: 'demo', outDir: '/store/demo', seed: 0, provider: 'cpu' })));
});
