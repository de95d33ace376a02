/** report.json: a written report reads back identical; every kind of damage is reported with file and JSON path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPORT_SCHEMA, REPORT_VERSION, ReportParseError, figureFiles, parseReport, stableStringify } from '../../../src/core/report';
import { sampleReport } from './sample-report';
import { multiBiasReport } from './multi-bias-report';

/** The sample as JSON, after `edit` changed the parsed object. */
function corrupted(edit: (json: Record<string, any>) => void): string {
  const json = JSON.parse(JSON.stringify(sampleReport())) as Record<string, any>;
  edit(json);
  return JSON.stringify(json);
}

function assertParseError(json: string, message: string | RegExp, jsonPath?: string): void {
  assert.throws(
    () => parseReport(json, 'report.json'),
    (e: unknown) => {
      assert.ok(e instanceof ReportParseError, `expected a ReportParseError, got ${String(e)}`);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      if (jsonPath !== undefined) assert.equal(e.jsonPath, jsonPath);
      assert.equal(e.source, 'report.json');
      return true;
    },
  );
}

test('a report survives stableStringify → parseReport unchanged', () => {
  const report = sampleReport();
  assert.deepEqual(figureFiles(report), report.outputs.figures);
  const json = stableStringify(report);
  assert.deepEqual(parseReport(json, 'report.json'), report);
  // Plain JSON.stringify output reads back the same too (key order does not matter to the reader).
  assert.deepEqual(parseReport(JSON.stringify(report), 'report.json'), report);
  assert.equal(REPORT_SCHEMA, 'bise-report');
  assert.equal(REPORT_VERSION, 2);
});

test('stableStringify sorts keys, puts schema and version first, refuses NaN with its path', () => {
  const json = stableStringify(sampleReport());
  assert.ok(json.startsWith('{\n  "schema": "bise-report",\n  "version": 1,\n  "config": {'), json.slice(0, 80));
  assert.ok(json.endsWith('}\n'));
  const topKeys = Object.keys(JSON.parse(json) as object);
  assert.deepEqual(topKeys.slice(2), [...topKeys.slice(2)].sort());
  assert.equal(stableStringify({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } }, 0), '{"a":{"d":[1,{"e":3,"f":2}]},"b":1}\n');
  const broken = sampleReport();
  broken.probe!.vanilla.mlpAccuracy = Number.NaN;
  assert.throws(() => stableStringify(broken), /^Error: probe\.vanilla\.mlpAccuracy is NaN, which JSON cannot represent$/);
});

test('optional and nullable fields round-trip', () => {
  const report = sampleReport();
  report.probe = null;
  delete report.metrics.baselines[0].seeds;
  report.config = {};
  report.history[3].valUnbiasedAccuracy = null;
  assert.deepEqual(parseReport(stableStringify(report), 'r.json'), report);
});

test('wrong types name the file, the JSON path and the value found', () => {
  assertParseError(
    corrupted((r) => (r.metrics.vanilla.unbiasedAccuracy = 'x')),
    'report.json: metrics.vanilla.unbiasedAccuracy: expected a number in [0, 1], found "x"',
    'metrics.vanilla.unbiasedAccuracy',
  );
  assertParseError(corrupted((r) => (r.history[3].tau = -1)), 'report.json: history[3].tau: expected a number > 0, found -1');
  assertParseError(corrupted((r) => (r.masks[2].keep[5] = 1)), 'report.json: masks[2].keep[5]: expected a boolean, found 1');
  assertParseError(corrupted((r) => (r.pruning.groups[1].kept = 2.5)), 'report.json: pruning.groups[1].kept: expected a non-negative integer, found 2.5');
  assertParseError(corrupted((r) => (r.config['data.rho'] = [0.99])), 'report.json: config["data.rho"]: expected a number, string, boolean or null, found an array');
  assertParseError(corrupted((r) => (r.selection.criterion = 'best')), 'report.json: selection.criterion: expected one of "best-val-unbiased", "last", found "best"');
  assertParseError(corrupted((r) => (r.model.sha256 = 'abc')), /^report\.json: model\.sha256: expected a SHA-256 digest/);
  assertParseError(corrupted((r) => (r.createdAt = 'yesterday')), /^report\.json: createdAt: expected an ISO 8601 date-time/);
  assertParseError(corrupted((r) => (r.history = {})), 'report.json: history: expected an array, found an object');
  assertParseError(corrupted((r) => (r.probe.subnetwork.perLayer[0].site = null)), 'report.json: probe.subnetwork.perLayer[0].site: expected a string, found null');
  assertParseError(corrupted((r) => (r.metrics.baselines[0].seeds = 0)), 'report.json: metrics.baselines[0].seeds: expected a positive integer, found 0');
});

test('missing and unknown fields are reported where they are', () => {
  assertParseError(
    corrupted((r) => delete r.data.sha256),
    'report.json: data.sha256: missing (expected a SHA-256 digest (64 lowercase hex digits))',
    'data.sha256',
  );
  assertParseError(corrupted((r) => delete r.pruning.layers[4].flopsAfter), 'report.json: pruning.layers[4].flopsAfter: missing (expected a non-negative integer)');
  assertParseError(corrupted((r) => delete r.probe), 'report.json: probe: missing (expected an object or null)');
  assertParseError(corrupted((r) => (r.timings.wallClock = 3)), /^report\.json: timings\.wallClock: unexpected field \(known fields here: totalSeconds, msPerStep\)$/);
});

test('out-of-range values and inconsistent fields are rejected', () => {
  assertParseError(corrupted((r) => (r.metrics.subnetwork.alignedAccuracy = 1.2)), 'report.json: metrics.subnetwork.alignedAccuracy: expected a number in [0, 1], found 1.2');
  assertParseError(corrupted((r) => (r.metrics.vanilla.perClassAccuracy[9] = -0.1)), 'report.json: metrics.vanilla.perClassAccuracy[9]: expected a number in [0, 1], found -0.1');
  assertParseError(corrupted((r) => (r.history[0].keptUnits = 241)), 'report.json: history[0].keptUnits: 241 kept units exceed totalUnits (240)');
  assertParseError(corrupted((r) => r.masks[1].keep.pop()), 'report.json: masks[1].keep: has 31 entries but logits has 32; expected one of each per unit');
  assertParseError(corrupted((r) => (r.selection.epoch = 40)), 'report.json: selection.epoch: epoch 40 is not in history (epochs 1–12)');
  assertParseError(corrupted((r) => (r.outputs.prunedModel = '../model.onnx')), /^report\.json: outputs\.prunedModel: expected a path relative to the report folder/);
  assertParseError(corrupted((r) => (r.outputs.figures[0] = '/tmp/x.svg')), /^report\.json: outputs\.figures\[0\]: expected a path relative/);
  assertParseError(corrupted((r) => (r.pruning.groups[0].removed += 1)), /^report\.json: pruning\.groups\[0\]\.removed: kept \(\d+\) \+ removed \(\d+\) differs from channels \(16\)$/);
});

test('other files, other schemas and newer versions get a clear message', () => {
  assertParseError('{"schema": "bise-report", "version": 1,', /^report\.json: not valid JSON \(/, '');
  assertParseError('[1, 2]', 'report.json: expected a JSON object (a BISE report), found an array');
  assertParseError(corrupted((r) => (r.schema = 'wandb-run')), 'report.json: schema: not a BISE report: expected schema "bise-report", found schema "wandb-run"', 'schema');
  assertParseError('{"name": "package"}', 'report.json: schema: not a BISE report: expected schema "bise-report", found no "schema" field');
  assertParseError(
    corrupted((r) => (r.version = 3)),
    'report.json: version: this report has version 3, written by a newer BISE; this build reads version 2 and older. Update the BISE extension to read it',
    'version',
  );
  assertParseError(corrupted((r) => (r.version = '1')), 'report.json: version: expected a positive integer report version, found "1"');
  assertParseError(corrupted((r) => (r.version = 0)), 'report.json: version: expected a positive integer report version, found 0');
});

test('version 2: per-bias metrics and alignment cells round-trip; version 1 reports still read', () => {
  const report = multiBiasReport();
  assert.deepEqual(parseReport(stableStringify(report), 'report.json'), report);
  const v1 = sampleReport();
  assert.equal(v1.version, 1);
  assert.deepEqual(parseReport(stableStringify(v1), 'report.json'), v1);
});

test('per-bias fields must fit the version, the bias attributes and the sample count', () => {
  const damaged = (edit: (r: Record<string, any>) => void): string => {
    const json = JSON.parse(JSON.stringify(multiBiasReport())) as Record<string, any>;
    edit(json);
    return JSON.stringify(json);
  };
  assertParseError(damaged((r) => (r.version = 1)), 'report.json: metrics.vanilla.perBias: is a version 2 field, but the report says version 1');
  assertParseError(
    damaged((r) => (r.data.biasAttributes = ['left'])),
    'report.json: metrics.vanilla.perBias: has 2 entries, expected one per bias attribute (1)',
  );
  assertParseError(damaged((r) => r.metrics.subnetwork.alignmentCells.pop()), /^report\.json: metrics\.subnetwork\.alignmentCells: the cells hold 190 samples, expected samples \(1000\)$/);
  assertParseError(damaged((r) => (r.metrics.baselines[1].metrics.perBias[1].alignedSamples = 1)), /^report\.json: metrics\.baselines\[1\]\.metrics\.perBias\[1\]: aligned \(1\) \+ conflicting \(900\) samples differ from samples \(1000\)$/);
  assertParseError(damaged((r) => (r.metrics.vanilla.alignmentCells[2].aligned = [false])), 'report.json: metrics.vanilla.alignmentCells[2].aligned: has 1 flags, expected one per bias attribute (2)');
  assertParseError(damaged((r) => (r.metrics.vanilla.perBias[0].conflictingAccuracy = 2)), 'report.json: metrics.vanilla.perBias[0].conflictingAccuracy: expected a number in [0, 1], found 2');
});

/** Removes the version-2 metric fields, so that checks after them are reached. */
function dropMetricsPerBias(r: Record<string, any>): void {
  for (const m of [r.metrics.vanilla, r.metrics.subnetwork, ...r.metrics.baselines.map((b: { metrics: unknown }) => b.metrics)]) {
    delete m.perBias;
    delete m.alignmentCells;
  }
}

test('the probe per further bias attribute round-trips and must fit the version, the attributes and both models', () => {
  const report = multiBiasReport();
  assert.deepEqual(parseReport(stableStringify(report), 'report.json').probe!.subnetwork.perBias, report.probe!.subnetwork.perBias);
  const damaged = (edit: (r: Record<string, any>) => void): string => {
    const json = JSON.parse(JSON.stringify(multiBiasReport())) as Record<string, any>;
    edit(json);
    return JSON.stringify(json);
  };
  // Without the field (one attribute, or a report written before it) it still reads.
  const without = parseReport(
    damaged((r) => {
      delete r.probe.vanilla.perBias;
      delete r.probe.subnetwork.perBias;
    }),
    'report.json',
  );
  assert.equal(without.probe!.vanilla.perBias, undefined);
  assertParseError(
    damaged((r) => {
      r.version = 1;
      dropMetricsPerBias(r);
    }),
    'report.json: probe.vanilla.perBias: is a version 2 field, but the report says version 1',
  );
  assertParseError(damaged((r) => delete r.probe.subnetwork.perBias), "report.json: probe.subnetwork: has no perBias, but the other model's probe has; expected both or neither");
  assertParseError(
    damaged((r) => {
      r.data.biasAttributes.push('third');
      dropMetricsPerBias(r);
    }),
    'report.json: probe.vanilla.perBias: has 1 entries, expected one per bias attribute after the first (2)',
  );
  assertParseError(
    damaged((r) => r.probe.vanilla.perBias.push({ ...r.probe.vanilla.perBias[0], attribute: 2 })),
    'report.json: probe.vanilla.perBias: has 2 entries, expected one per bias attribute after the first (1)',
  );
  assertParseError(damaged((r) => (r.probe.subnetwork.perBias[0].attribute = 0)), 'report.json: probe.subnetwork.perBias[0].attribute: expected a positive integer, found 0');
  assertParseError(damaged((r) => (r.probe.subnetwork.perBias[0].attribute = 2)), 'report.json: probe.subnetwork.perBias[0].attribute: is 2, expected 1 (entries follow data.biasAttributes from the second)');
  assertParseError(damaged((r) => (r.probe.vanilla.perBias[0].linearAccuracy = 1.2)), 'report.json: probe.vanilla.perBias[0].linearAccuracy: expected a number in [0, 1], found 1.2');
  assertParseError(damaged((r) => (r.probe.vanilla.perBias[0].extra = 1)), /^report\.json: probe\.vanilla\.perBias\[0\]\.extra: unexpected field/);
});

test('substitute bias-label quality round-trips and its fractions are checked', () => {
  const report = sampleReport();
  report.config.biasFrom = 'identify';
  report.biasLabels = [{ attribute: 'colour', samples: 1000, agreement: 0.93, trueConflicting: 30, flaggedConflicting: 80, conflictingRecall: 0.6, conflictingPrecision: 0.225 }];
  assert.deepEqual(parseReport(stableStringify(report), 'r.json'), report);
  const bad = corrupted((j) => (j.biasLabels = [{ ...report.biasLabels![0], agreement: 1.5 }]));
  assert.throws(() => parseReport(bad, 'r.json'), /biasLabels\[0\]\.agreement/);
});
