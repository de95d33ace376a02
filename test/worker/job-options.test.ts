/** The worker's mapping of a protocol job onto the core's options: an image CSV's column mapping is carried over. */
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
