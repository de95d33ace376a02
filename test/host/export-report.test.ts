/** "Export report into the repo": the report is rewritten under the workspace with a correct model path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSmallCnn, DEMO_CNN } from '../../src/core/models/small-cnn';
import { serializeModel } from '../../src/core/onnx/writer';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import { runExtractJob } from '../../src/core/jobs/extract-job';
import { exportConflict, exportReport, readReportFile, reportModelPath } from '../../src/host/export-report';
import { exportFolder } from '../../src/host/report-location';

test('a run in the extension storage is exported under bise-reports/, re-rendered for its new place', async () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-export-ws-'));
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-export-store-'));
  const modelPath = path.join(ws, 'models', 'net.onnx');
  fs.mkdirSync(path.dirname(modelPath));
  fs.writeFileSync(modelPath, serializeModel(buildSmallCnn({ ...DEMO_CNN, blocks: DEMO_CNN.blocks.map((b) => ({ ...b, channels: b.channels / 4 })) })));
  const run = await runExtractJob(
    {
      modelPath,
      data: { kind: 'biased-mnist', rho: 0.9, seed: 1, trainSize: 300, valSize: 100, testSize: 100 },
      config: { ...DEFAULT_EXTRACT_CONFIG, batchSize: 50, tauPeriod: 1, maxEpochs: 1, auxEpochs: 1 },
      outDir: path.join(store, 'runs', 'net-1'),
      overwrite: false,
      randomSeeds: 1,
      probe: false,
      probeEpochs: 1,
      threads: 2,
    },
    { onEvent: () => undefined },
  );
  const dest = exportFolder(ws, undefined, modelPath);
  assert.deepEqual(exportConflict(dest), { kind: 'free' });
  const result = exportReport(run.folder, dest, modelPath, false);
  assert.equal(result.folder, path.join(ws, 'bise-reports', 'net'));
  assert.equal(result.reportMd, path.join(dest, 'report.md'));
  assert.deepEqual(fs.readdirSync(dest).sort(), fs.readdirSync(run.folder).sort());
  const exported = readReportFile(path.join(dest, 'report.json'));
  assert.equal(exported.model.path, '../../models/net.onnx');
  assert.equal(reportModelPath(path.join(dest, 'report.json'), exported), modelPath);
  assert.deepEqual(exported.masks, run.report.masks);
  assert.deepEqual(fs.readFileSync(path.join(dest, 'net.bise.onnx')), fs.readFileSync(path.join(run.folder, 'net.bise.onnx')));

  // A second export finds an earlier report (replace after asking); a foreign folder is refused.
  assert.deepEqual(exportConflict(dest), { kind: 'replace' });
  assert.throws(() => exportReport(run.folder, dest, modelPath, false), /already exists/);
  exportReport(run.folder, dest, modelPath, true);
  const foreign = path.join(ws, 'bise-reports', 'src');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'main.c'), 'int main;');
  const c = exportConflict(foreign);
  assert.equal(c.kind, 'refuse');
  if (c.kind === 'refuse') assert.match(c.message, /does not look like a BISE report folder/);
  assert.equal(fs.readFileSync(path.join(foreign, 'main.c'), 'utf8'), 'int main;');
});
