/** Corrupted Fashion-MNIST through the protocol: the host's job decodes, the worker maps it onto the core's dataset spec. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import { decodeProblem } from '../../src/protocol/decoders';
import { describeDataset, jobSpecDecoder } from '../../src/protocol/jobs';
import { extractJobOptions } from '../../src/worker/job-options';

const data = { kind: 'corrupted-fashion-mnist', rho: 0.98, seed: 3, trainSize: 10000, valSize: 1000, testSize: 2000 } as const;
const job = { kind: 'extract', modelPath: '/ws/resnet18.onnx', data, config: DEFAULT_EXTRACT_CONFIG, outDir: '/store/run', overwrite: false, provider: 'cpu', randomSeeds: 2, probe: true, probeEpochs: 5 };

test('a Corrupted Fashion-MNIST job decodes and becomes the core spec with the same ρ, seed and sizes', () => {
  const decoded = decodeProblem(jobSpecDecoder, JSON.parse(JSON.stringify(job)));
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.problem);
  if (!decoded.ok) return;
  assert.deepEqual(extractJobOptions(decoded.value).data, data);
  assert.equal(describeDataset(data), 'Corrupted Fashion-MNIST ρ=0.98');
});

test('ρ outside [0, 1] is refused by the decoder', () => {
  const decoded = decodeProblem(jobSpecDecoder, { ...job, data: { ...data, rho: 1.2 } });
  assert.equal(decoded.ok, false);
  assert.match(decoded.ok ? '' : decoded.problem, /rho/);
});
