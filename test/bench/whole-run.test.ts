/**
 * Keeps `npm run bench:run` (bench/whole-run.ts) honest without running it (it needs minutes and Debian's torch):
 * both sides stop after the same number of τ steps, the exported arrays are the job's (read back through the
 * engine's .npy reader, hash equal to the job's data hash), the timeline splits a run into phases that add up to
 * its wall time, and the tables show the ratio ours / PyTorch.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EXTRACT_CONFIG, tauAt } from '../../src/core/bise/config';
import { parseNpy } from '../../src/core/data/npy';
import { createRng, deriveSeed } from '../../src/core/data/random';
import { batchIndices } from '../../src/core/data/dataset';
import { datasetSha256, loadBuiltinDataset } from '../../src/core/jobs/builtin-datasets';
import { parseWholeRunArgs, scheduleFlags, tauMinFor, TAU_FACTOR, TAU_INITIAL } from '../../bench/whole-run/options';
import { npyFileBytes } from '../../bench/whole-run/npy-writer';
import { exportBenchData } from '../../bench/whole-run/export-data';
import { oursTimeline, TimedEvent } from '../../bench/whole-run/timeline';
import { formatWholeRun, oursBreakdownRows, torchBreakdownRows } from '../../bench/whole-run/report';
import { OursRun, TorchRun } from '../../bench/whole-run/run-sides';
import { wholeRunArgs } from '../../bench/all';

const DEMO = path.join(__dirname, '..', '..', 'models', 'biased-mnist-rho0.97-cnn.onnx');

test('whole-run bench: flags parse, and both stop rules run exactly --tau-steps τ values', () => {
  const o = parseWholeRunArgs(['--seeds', '1,2,3', '--train-size', '500', '--no-torch']);
  assert.deepEqual(o.seeds, [1, 2, 3]);
  assert.equal(o.trainSize, 500);
  assert.equal(o.torch, false);
  assert.equal(o.tauPeriod, 1);
  assert.equal(o.auxEpochs, 5);
  assert.throws(() => parseWholeRunArgs(['--bogus']), /unknown flag --bogus/);
  assert.throws(() => parseWholeRunArgs(['--seeds', '1,x']), /--seeds/);
  assert.throws(() => parseWholeRunArgs(['--reweighting', 'odd']), /nominal or group/);
  assert.deepEqual(o.torchFlags, []);
  assert.deepEqual(parseWholeRunArgs(['--torch-flags', ' --head-optimizer reset  --ties earlier', '--no-torch']).torchFlags, ['--head-optimizer', 'reset', '--ties', 'earlier']);
  assert.throws(() => parseWholeRunArgs(['--work', '--no-torch']), /--work needs a value/);
  assert.ok(scheduleFlags(o, 2).join(' ').includes('--seed 2'));
  // `npm run bench` hands the whole-run bench --threads only.
  assert.deepEqual(wholeRunArgs(['--repeats', '3', '--threads', '2', '--only', 'step']), ['--threads', '2']);
  assert.deepEqual(wholeRunArgs(['--repeats', '3']), []);

  for (const [steps, period] of [[10, 1], [3, 2], [1, 1]]) {
    const tauMin = tauMinFor(steps);
    // Ours: epochs while tauAt gives a τ.
    const config = { ...DEFAULT_EXTRACT_CONFIG, tauInitial: TAU_INITIAL, tauFactor: TAU_FACTOR, tauPeriod: period, tauMin };
    let ours = 0;
    while (tauAt(config, ours) !== undefined) ours++;
    // The authors': after each epoch τ falls every `period` epochs; stop once τ ≤ τ_min.
    let theirs = 0;
    for (let tau = TAU_INITIAL; ; ) {
      theirs++;
      if (theirs % period === 0) tau *= TAU_FACTOR;
      if (tau <= tauMin) break;
    }
    assert.equal(ours, steps * period, `ours, ${steps} steps of period ${period}`);
    assert.equal(theirs, steps * period, `theirs, ${steps} steps of period ${period}`);
  }
});

test('whole-run bench: .npy files hold the values in C order with the right header', () => {
  const f = parseNpy(npyFileBytes({ descr: '<f4', data: Float32Array.from([1.5, -2, 3, 4, 5, 6]) }, [2, 3]));
  assert.deepEqual(f.shape, [2, 3]);
  assert.deepEqual(Array.from(f.data as Float32Array), [1.5, -2, 3, 4, 5, 6]);
  const i = parseNpy(npyFileBytes({ descr: '<i8', data: Int32Array.from([7, -1, 9]) }, [3]));
  assert.equal(i.dtype, 'i8');
  assert.deepEqual(Array.from(i.data as BigInt64Array, Number), [7, -1, 9]);
  assert.throws(() => npyFileBytes({ descr: '<f4', data: new Float32Array(5) }, [2, 3]), /holds 6 values, got 5/);
});

test('whole-run bench: the exported data are the arrays and hash the job uses, and the gates are the engine’s', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-whole-run-'));
  try {
    const spec = { kind: 'biased-mnist' as const, rho: 0.9, seed: 3, trainSize: 100, valSize: 20, testSize: 30 };
    const out = await exportBenchData(DEMO, spec, dir);
    const job = loadBuiltinDataset(spec);
    assert.equal(out.sha256, await datasetSha256(job));
    assert.deepEqual(out.sizes, { train: 100, val: 20, test: 30 });
    const x = parseNpy(fs.readFileSync(path.join(dir, 'x_test.npy')));
    assert.deepEqual(x.shape, [30, 3, 28, 28]);
    assert.deepEqual(x.data, 'x' in job.test ? job.test.x : undefined);
    const b = parseNpy(fs.readFileSync(path.join(dir, 'b_train.npy')));
    assert.deepEqual(Array.from(b.data as BigInt64Array, Number), Array.from(job.train.biases[0]));
    const gates = JSON.parse(fs.readFileSync(out.gatesFile, 'utf8'));
    assert.deepEqual(gates.groups.map((g: { units: number }) => g.units), [16, 32, 64, 128]);
    assert.deepEqual(gates.groups.map((g: { sites: { tensor: string }[] }) => g.sites[0].tensor), ['relu1.out', 'relu2.out', 'relu3.out', 'relu4.out']);
    assert.equal(gates.bottleneck, 'features');
    assert.equal(out.zDim, 128);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')).rho, 0.9);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A two-epoch run's event lines at known times (ms), as `bise extract --json` emits them. */
function syntheticRun(): TimedEvent[] {
  const e = (t: number, event: TimedEvent['event']): TimedEvent => ({ t, event });
  const step = (t: number, done: number): TimedEvent => e(t, { type: 'progress', phase: 'extract', done, total: 2 });
  return [
    e(1500, { type: 'log', level: 'info', message: 'model checked in 0.5 s: its gated graphs build' }),
    e(2000, { type: 'progress', phase: 'aux-head', done: 0, total: 1 }),
    e(2300, { type: 'progress', phase: 'aux-head', done: 1, total: 1 }),
    step(2500, 1),
    step(2700, 2),
    e(2750, { type: 'epoch', epoch: 1, msPerStep: 150 }),
    e(2760, { type: 'masks', epoch: 1, groups: [] }),
    e(2800, { type: 'progress', phase: 'aux-head', done: 0, total: 1 }),
    e(3000, { type: 'progress', phase: 'aux-head', done: 1, total: 1 }),
    step(3200, 1),
    step(3400, 2),
    e(3450, { type: 'epoch', epoch: 2, msPerStep: 160 }),
    e(3460, { type: 'masks', epoch: 2, groups: [] }),
    e(3600, { type: 'progress', phase: 'assess', done: 0, total: 4 }),
    e(3900, { type: 'progress', phase: 'assess', done: 1, total: 4 }),
    e(4000, { type: 'progress', phase: 'assess', done: 2, total: 4 }),
    e(4500, { type: 'progress', phase: 'assess', done: 4, total: 4 }),
    e(4700, { type: 'log', level: 'info', message: 'pruned model verified' }),
    e(4900, { type: 'result' }),
  ];
}

test('whole-run bench: the timeline splits a run into phases that add up to its wall time', () => {
  const t = oursTimeline(syntheticRun(), 5000);
  assert.equal(t.startupMs, 1000);
  assert.equal(t.preflightMs, 500);
  assert.equal(t.setupMs, 500);
  assert.equal(t.auxHeadMs, 500);
  assert.equal(t.auxHeadRuns, 2);
  assert.deepEqual(t.stepIntervalsMs, [200, 200, 200, 200]);
  assert.equal(t.engineStepMs, 640);
  assert.equal(t.validationMs, 100);
  assert.equal(t.maskLearningMs, 1460);
  assert.equal(t.testEvalMs, 300);
  assert.equal(t.baselinesMs, 100);
  assert.equal(t.probeMs, 500);
  assert.equal(t.exportMs, 500);
  const pieces = { lossAndMiMs: 10, auxHeadStepMs: 5, maskUpdateMs: 1, batchGatherMs: 2 };
  const rows = new Map(oursBreakdownRows(t, pieces));
  assert.equal(rows.get('step graph (onnxruntime forward + backward, feeds)'), 640 - 4 * 16);
  const sum = [...rows.values()].reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 5000) < 1e-9, `rows add up to ${sum}`);
  assert.throws(() => oursTimeline(syntheticRun().slice(0, 2), 3000), /emitted no/);
});

test('whole-run bench: the table compares both sides and their accuracies', () => {
  const metrics = (u: number) => ({ unbiasedAccuracy: u, alignedAccuracy: 1, conflictingAccuracy: u });
  const ours: OursRun = {
    wallMs: 5000,
    events: syntheticRun(),
    report: { data: { sha256: 'x' }, selection: { epoch: 2 }, metrics: { vanilla: metrics(0.3), subnetwork: metrics(0.42) }, masks: [{ keep: [true, false, true] }], history: [{}, {}] },
  };
  const torch: TorchRun = {
    wallMs: 20000, torch: '1.13', threads: 2, steps: 4, medianStepMs: 700, medianIterationMs: 800, epochs: 2, refits: 2,
    phasesS: { import: 3, load: 1, steps: 2.8, data: 0.2, pretrain_head: 5, refits: 5, val_eval: 1, test_eval: 1 }, totalS: 19,
    selectedEpoch: 1, keptUnits: 2, totalUnits: 3, test: { unbiased: 0.35, aligned: 1, conflicting: 0.3 }, vanillaTest: { unbiased: 0.3, aligned: 1, conflicting: 0.2 },
  };
  const results = [0, 1].map((seed) => ({ seed, ours, timeline: oursTimeline(ours.events, ours.wallMs), torch }));
  const text = formatWholeRun(results, { lossAndMiMs: 1, auxHeadStepMs: 1, maskUpdateMs: 0, batchGatherMs: 0 });
  assert.match(text, /wall time, whole run, s\s*\|\s*5\.0 \|\s*20\.0 \|\s*0\.25×/);
  assert.match(text, /ms per step, median, as waited \(data \+ step\)\s*\|\s*200 \|\s*800 \|\s*0\.25×/);
  assert.match(text, /unbiased test accuracy, subnetwork\s*\|\s*42\.0% \|\s*35\.0%/);
  assert.match(text, /\| mean\s*\|\s*42\.0% \|\s*35\.0% \|/);
  const torchRows = new Map(torchBreakdownRows(torch));
  assert.equal(torchRows.get('other (interpreter start, exit)'), 20000 - 19000);
});

test("whole-run bench: the PyTorch loop's --batch-order ours and --head-init ours draw the engine's numbers", (t) => {
  // bench/engine_random.py is plain Python (no torch), the port of src/core/data/random.ts the loop draws from.
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) return t.skip('no python3 here');
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(path.join(__dirname, '..', '..', 'bench'))})`,
    'from engine_random import Rng, batch_indices, derive_seed, js_number',
    'rng = Rng(derive_seed(7, "aux-init"))',
    'print(json.dumps({',
    '  "seeds": [derive_seed(0, "epoch", 0), derive_seed(3, "epoch", 9), derive_seed(2**40 + 5, "aux", "τ = 0.25", 0), derive_seed(-3, "x")],',
    '  "batches": batch_indices(23, 5, derive_seed(1, "epoch", 2), True), "kept": batch_indices(7, 3, 11),',
    '  "floats": [rng.next_float() for _ in range(4)],',
    '  "numbers": [js_number(v) for v in (1.0, 0.5, 0.001953125, 2.0 ** -14, 1e-7, 3e21)],',
    '}))',
  ].join('\n');
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const py = JSON.parse(r.stdout);
  assert.deepEqual(py.seeds, [deriveSeed(0, 'epoch', 0), deriveSeed(3, 'epoch', 9), deriveSeed(2 ** 40 + 5, 'aux', 'τ = 0.25', 0), deriveSeed(-3, 'x')]);
  assert.deepEqual(py.batches, batchIndices(23, { batchSize: 5, seed: deriveSeed(1, 'epoch', 2), dropLast: true }).map((b) => Array.from(b)));
  assert.deepEqual(py.kept, batchIndices(7, { batchSize: 3, seed: 11 }).map((b) => Array.from(b)));
  const rng = createRng(deriveSeed(7, 'aux-init'));
  assert.deepEqual(py.floats, [0, 1, 2, 3].map(() => rng.nextFloat()));
  assert.deepEqual(py.numbers, [1, 0.5, 0.001953125, 2 ** -14, 1e-7, 3e21].map(String));
});
