/**
 * `bise extract --baseline random|magnitude --like <run>`: no mask is learned; the subnetwork keeps as many units
 * per group as the --like masks (random units by seed, or the largest L1 norms), and goes through the same
 * measuring, physical pruning, verification and report as a BISE subnetwork.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSmallCnn, DEMO_CNN } from '../../../src/core/models/small-cnn';
import { serializeModel } from '../../../src/core/onnx/writer';
import { readModelFile } from '../../../src/core/onnx/reader';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { discoverUnits } from '../../../src/core/units/discover';
import { unitMagnitudes } from '../../../src/core/bise/baselines';
import { runExtractJob, ExtractJobOptions } from '../../../src/core/jobs/extract-job';
import { DEFAULT_EXTRACT_CONFIG } from '../../../src/core/bise/config';
import { parseReport } from '../../../src/core/report/schema';

const ROOT = path.join(__dirname, '..', '..', '..');

function setup(): { dir: string; options: ExtractJobOptions; like: string; counts: number[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-baseline-'));
  const modelPath = path.join(dir, 'net.onnx');
  const model = buildSmallCnn({ ...DEMO_CNN, blocks: DEMO_CNN.blocks.map((b) => ({ ...b, channels: b.channels / 4 })) });
  fs.writeFileSync(modelPath, serializeModel(model));
  const discovery = discoverUnits(model.graph, inferShapes(model.graph, new Map([[model.graph.inputs[0].name, [1, 3, 28, 28]]])));
  // A hand-made "BISE run": group g keeps its first g + 1 units.
  const counts = discovery.groups.map((_, g) => g + 1);
  const like = path.join(dir, 'like');
  fs.mkdirSync(like);
  fs.writeFileSync(path.join(like, 'masks.json'), JSON.stringify({ groups: discovery.groups.map((g, i) => ({ group: g.id, keep: Array.from({ length: g.channels }, (_, c) => c < counts[i]) })) }));
  const options: ExtractJobOptions = {
    modelPath,
    data: { kind: 'biased-mnist', rho: 0.9, seed: 1, trainSize: 200, valSize: 100, testSize: 100 },
    config: { ...DEFAULT_EXTRACT_CONFIG, seed: 3 },
    overwrite: false,
    randomSeeds: 1,
    probe: false,
    probeEpochs: 1,
    threads: 1,
  };
  return { dir, options, like, counts };
}

test('magnitude baseline: the largest-L1 units at the --like counts, pruned, verified and reported as a baseline', async () => {
  const { dir, options, like, counts } = setup();
  const result = await runExtractJob({ ...options, baseline: { kind: 'magnitude', like } }, { onEvent: () => undefined });
  assert.equal(result.folder, path.join(dir, 'net.magnitude'));
  assert.ok(fs.existsSync(path.join(result.folder, 'net.magnitude.onnx')));
  const report = parseReport(fs.readFileSync(path.join(result.folder, 'report.json'), 'utf8'), 'report.json');
  assert.equal(report.config.baseline, 'magnitude');
  assert.equal(report.history.length, 0, 'nothing was learned');
  assert.deepEqual(report.masks.map((m) => m.keep.filter(Boolean).length), counts);
  const model = readModelFile(options.modelPath);
  const discovery = discoverUnits(model.graph, inferShapes(model.graph, new Map([[model.graph.inputs[0].name, [1, 3, 28, 28]]])));
  unitMagnitudes(model, discovery).forEach((l1, g) => {
    const keptMin = Math.min(...report.masks[g].keep.flatMap((k, c) => (k ? [l1[c]] : [])));
    const prunedMax = Math.max(...report.masks[g].keep.flatMap((k, c) => (k ? [] : [l1[c]])));
    assert.ok(keptMin >= prunedMax, `group ${g}: a pruned unit outweighs a kept one`);
  });
  // The baseline's own row equals the report's magnitude baseline (same counts, same rule).
  assert.equal(report.metrics.subnetwork.unbiasedAccuracy, report.metrics.baselines.find((b) => b.name === 'magnitude')?.metrics.unbiasedAccuracy);
  assert.equal(report.pruning.unitsAfter, counts.reduce((a, b) => a + b, 0));
  const md = fs.readFileSync(path.join(result.folder, 'report.md'), 'utf8');
  assert.match(md, /\*\*Baseline, not BISE:\*\* the subnetwork keeps the units with the largest L1 norm/);
  assert.ok(!md.includes('Mask selected at epoch'));
});

test('random baseline: seeded (same seed, same units; another seed, other units), at the --like counts', async () => {
  const { dir, options, like, counts } = setup();
  const keepOf = async (seed: number, out: string): Promise<boolean[][]> => {
    const r = await runExtractJob({ ...options, config: { ...options.config, seed }, outDir: path.join(dir, out), baseline: { kind: 'random', like: path.join(like, 'masks.json') } }, { onEvent: () => undefined });
    return r.report.masks.map((m) => m.keep);
  };
  const [a, b, c] = [await keepOf(1, 'a'), await keepOf(1, 'b'), await keepOf(2, 'c')];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(a.map((k) => k.filter(Boolean).length), counts);
});

test('--like errors name the path and what was expected', async () => {
  const { dir, options } = setup();
  await assert.rejects(runExtractJob({ ...options, baseline: { kind: 'random', like: path.join(dir, 'missing') } }, { onEvent: () => undefined }), /--like .*missing: no masks\.json there/);
  const other = path.join(dir, 'other.json');
  fs.writeFileSync(other, JSON.stringify({ groups: [{ group: 0, keep: [true] }] }));
  await assert.rejects(runExtractJob({ ...options, baseline: { kind: 'magnitude', like: other } }, { onEvent: () => undefined }), /does this mask file belong to this model\?/);
});

test('CLI: --baseline needs --like, and --like needs --baseline', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'extract', path.join(ROOT, 'models', 'biased-mnist-rho0.97-cnn.onnx'), ...args], { encoding: 'utf8', cwd: ROOT });
  const noLike = run('--baseline', 'random');
  assert.equal(noLike.status, 2);
  assert.match(noLike.stderr, /--baseline random needs --like/);
  const noBaseline = run('--like', 'x');
  assert.equal(noBaseline.status, 2);
  assert.match(noBaseline.stderr, /--like only goes with --baseline/);
});
