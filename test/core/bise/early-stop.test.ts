/**
 * Early stop on a small real run: a schedule whose gates all settle within a few epochs (a small τ and a large mask
 * learning rate fling every mask far from 0), extracted with early stop on and off. The stopped run must run fewer
 * epochs and give the same masks (bit for bit), selection, pruned model and metrics, and say so in the log, the
 * event stream and the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSmallCnn, DEMO_CNN } from '../../../src/core/models/small-cnn';
import { serializeModel } from '../../../src/core/onnx/writer';
import { runExtractJob, ExtractJobOptions } from '../../../src/core/jobs/extract-job';
import { DEFAULT_EXTRACT_CONFIG, ExtractConfig } from '../../../src/core/bise/config';
import { parseReport } from '../../../src/core/report/schema';
import type { JobEvent } from '../../../src/core/bise/events';
import { jobEventDecoder } from '../../../src/protocol/job-events';
import { decodeProblem } from '../../../src/protocol/decoders';
import { extractSubnetwork } from '../../../src/core/bise/extract';
import { biasedMnistSplits } from '../../../src/core/data/biased-mnist';

// τ 0.01 → 1.6e-4 over 7 epochs; from m = 0, a mask learning rate of 20 settles every unit within epoch 4.
const SETTLING: ExtractConfig = { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, tauPeriod: 1, tauInitial: 0.01, tauMin: 1e-4, maxEpochs: 8, auxEpochs: 1, maskInit: 0, maskLr: 20, onCollapse: 'continue' };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-early-stop-'));
const modelPath = path.join(dir, 'net.onnx');
const model = buildSmallCnn({ ...DEMO_CNN, blocks: DEMO_CNN.blocks.map((b) => ({ ...b, channels: b.channels / 4 })) });
fs.writeFileSync(modelPath, serializeModel(model));
const DATA = { kind: 'biased-mnist', rho: 0.9, seed: 5, trainSize: 200, valSize: 100, testSize: 100 } as const;

async function run(name: string, config: ExtractConfig) {
  const options: ExtractJobOptions = {
    modelPath,
    data: DATA,
    config,
    outDir: path.join(dir, name),
    overwrite: false,
    randomSeeds: 1,
    probe: false,
    probeEpochs: 1,
    threads: 2,
  };
  const events: JobEvent[] = [];
  const result = await runExtractJob(options, { onEvent: (e) => events.push(e) });
  const read = (file: string): Buffer => fs.readFileSync(path.join(result.folder, file));
  return { events, report: parseReport(read('report.json').toString('utf8'), 'report.json'), masks: read('masks.json'), pruned: read('net.bise.onnx'), markdown: read('report.md').toString('utf8') };
}

// 'last' takes the schedule's last epoch, which an early stop does not run: its masks are the replayed ones.
test('early stop: fewer epochs, the same masks (bit for bit), selection, pruned model and metrics as the full schedule', async () => {
  const full = await run('full', { ...SETTLING, selection: 'last', earlyStop: false });
  const early = await run('early', { ...SETTLING, selection: 'last' });
  const stop = early.report.earlyStop;
  assert.ok(stop, 'the run stopped early');
  assert.equal(full.report.earlyStop, undefined);
  assert.equal(full.report.history.length, 7);
  assert.equal(stop.scheduledEpochs, 7);
  assert.ok(stop.epoch < 7 && early.report.history.length === stop.epoch, `stopped at epoch ${stop.epoch}`);
  assert.equal(stop.skippedSteps, (7 - stop.epoch) * 4); // 200 samples, batches of 50
  assert.equal(stop.settledUnits, 60);
  // The epochs that ran are the full run's, and nothing after them differs.
  assert.deepEqual(early.report.history.map((h) => h.loss), full.report.history.slice(0, stop.epoch).map((h) => h.loss));
  assert.ok(early.masks.equals(full.masks), 'masks.json (mask logits and decisions) is byte-identical');
  assert.ok(early.pruned.equals(full.pruned), 'the pruned model is byte-identical');
  assert.deepEqual(early.report.selection, full.report.selection);
  assert.deepEqual(early.report.metrics, full.report.metrics);
  assert.deepEqual(early.report.pruning, full.report.pruning);
  // Some units were pruned: the decisions are not the trivial keep-all.
  const kept = early.report.masks.reduce((s, m) => s + m.keep.filter(Boolean).length, 0);
  assert.ok(kept > 0 && kept < 60, `${kept} of 60 kept`);
  // Said in the log, the event stream (valid under the protocol) and the report.
  const log = early.events.find((e) => e.type === 'log' && e.message.startsWith('all 60 units settled'));
  assert.ok(log && log.type === 'log');
  assert.match(log.message, new RegExp(`^all 60 units settled at epoch ${stop.epoch} of 7: stopping mask learning early \\(same masks as the full schedule\\)`));
  const event = early.events.find((e) => e.type === 'early-stop');
  assert.deepEqual(event, { type: 'early-stop', ...stop });
  assert.deepEqual(decodeProblem(jobEventDecoder, JSON.parse(JSON.stringify(event))), { ok: true, value: event });
  assert.match(early.markdown, new RegExp(`\\*\\*Mask learning stopped early\\*\\* at epoch ${stop.epoch} of 7: all 60 units had settled`));
  assert.ok(!full.events.some((e) => e.type === 'early-stop'));
});

test('early stop with best-validation selection: the epoch chosen and its masks are the full schedule\'s', async () => {
  const data = biasedMnistSplits(DATA);
  const extract = (earlyStop: boolean) => extractSubnetwork({ model, train: data.train, val: data.val, config: { ...SETTLING, earlyStop }, session: { threads: 2 } });
  const [full, early] = [await extract(false), await extract(true)];
  assert.ok(early.earlyStop && early.history.length < full.history.length);
  assert.equal(early.selectedEpoch, full.selectedEpoch);
  assert.deepEqual(early.masks, full.masks);
  // After the stop every epoch of the full run had the same validation accuracy, so none could be chosen over it.
  const after = full.history.slice(early.earlyStop.epoch - 1).map((h) => h.valUnbiasedAccuracy);
  assert.ok(after.every((a) => a === after[0]));
});
