/** "BISE: Audit Model for Bias" without VS Code: the datasets offered, the job built from the form, the words shown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { BUILTIN_DATASETS, DetectedDataset } from '../../src/host/datasets';
import { defaultForm } from '../../src/host/form';
import { AuditContext, auditDatasets, auditExportFolder, auditMessage, auditRunFolder, buildAuditJob } from '../../src/host/audit-job';
import { decodeProblem, jobSpecDecoder } from '../../src/protocol';

const broken: DetectedDataset = {
  option: { id: 'npy:data/x', kind: 'npy-folder', label: 'data/x (.npy arrays)', detail: '', supported: false, reason: 'missing x_test.npy' },
  location: '/ws/data/x',
};
const npy: DetectedDataset = { option: { ...broken.option, id: 'npy:data/y', label: 'data/y (.npy arrays)', supported: true, reason: null }, location: '/ws/data/y' };
const ctx: AuditContext = { modelPath: '/ws/model.onnx', datasets: [...BUILTIN_DATASETS, broken, npy], providers: ['cpu'], outDir: '/store/runs/model-1.audit' };

test('the usable datasets are offered, the saved choice first', () => {
  assert.deepEqual(auditDatasets(ctx.datasets, null).map((d) => d.option.id).slice(-1), ['npy:data/y']);
  assert.ok(!auditDatasets(ctx.datasets, null).some((d) => d.option.id === 'npy:data/x'), 'an unusable dataset is not offered');
  assert.deepEqual(auditDatasets(ctx.datasets, 'npy:data/y')[0].option.id, 'npy:data/y');
  assert.equal(auditDatasets(ctx.datasets, 'npy:data/x')[0].option.id, 'builtin:biased-mnist', 'a saved choice that cannot run is not put first');
});

test('the audit job takes the form’s data, probe epochs, seed, provider and bottleneck, and decodes as a job', () => {
  const r = buildAuditJob({ ...defaultForm(), rho: '0.97', testSize: '500', probeEpochs: '7', seed: '3', bottleneck: 'z', threads: '2', probe: false }, 'builtin:biased-mnist', ctx);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  if (!r.ok) return;
  assert.deepEqual(r.job, {
    kind: 'audit',
    modelPath: '/ws/model.onnx',
    data: { kind: 'biased-mnist', rho: 0.97, seed: 0, trainSize: 7000, valSize: 1000, testSize: 500 },
    outDir: '/store/runs/model-1.audit',
    bottleneck: 'z',
    provider: 'cpu',
    threads: 2,
    probe: true,
    probeEpochs: 7,
    seed: 3,
  });
  const decoded = decodeProblem(jobSpecDecoder, JSON.parse(JSON.stringify(r.job)));
  assert.ok(decoded.ok && decoded.value.kind === 'audit');
  const onNpy = buildAuditJob(defaultForm(), 'npy:data/y', ctx);
  assert.ok(onNpy.ok);
  if (onNpy.ok) {
    assert.deepEqual(onNpy.job, { kind: 'audit', modelPath: '/ws/model.onnx', data: { kind: 'npy-folder', folder: '/ws/data/y' }, outDir: '/store/runs/model-1.audit', provider: 'cpu', probe: true, probeEpochs: 30, seed: 0 });
  }
});

test('a bad setting of the saved form is refused with the form’s own message', () => {
  const r = buildAuditJob({ ...defaultForm(), testSize: '5' }, 'builtin:biased-mnist', ctx);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.match(r.errors[0].message, /^Test samples: expected a whole number ≥ 10/);
  const unusable = buildAuditJob(defaultForm(), 'npy:data/x', ctx);
  assert.ok(!unusable.ok && /cannot be used: missing x_test\.npy/.test(unusable.errors[0].message));
});

test('folders and the notification', () => {
  assert.equal(auditRunFolder(path.join('/store', 'runs', 'model-20260301T120000Z')), path.join('/store', 'runs', 'model-20260301T120000Z.audit'));
  assert.equal(auditExportFolder(path.join('/ws', 'bise-reports', 'model')), path.join('/ws', 'bise-reports', 'model.audit'));
  const s = { unbiasedAccuracy: 0.291, worstGroupAccuracy: 0, demographicParityDifference: 0.878, equalizedOddsDifference: 1, probeAccuracy: 0.995, probeChance: 0.102, seconds: 7.2 };
  assert.equal(auditMessage(s), 'unbiased accuracy 29.1%, worst group 0.0%; demographic parity difference 0.88, equalized odds difference 1.00, bias probe 99.5% (chance 10.2%); 7 s');
  assert.equal(auditMessage({ ...s, probeAccuracy: null, probeChance: null }), 'unbiased accuracy 29.1%, worst group 0.0%; demographic parity difference 0.88, equalized odds difference 1.00; 7 s');
});
