/**
 * The checks every zoo model (test/fixtures/zoo) goes through, in order, through the engine's own APIs:
 * load (as `bise info` does), gate gradients against PyTorch, a random-mask pruned export verified against the
 * gated model at two batch sizes, and a very short extract job on random data of the model's input size.
 * Shared by scripts/zoo-status.ts (docs/MODELS.md) and test/core/zoo/zoo.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readModelFile, parseModel } from '../../src/core/onnx/reader';
import { serializeModel } from '../../src/core/onnx/writer';
import { Model } from '../../src/core/onnx/ir';
import { ModelIo, discoverModelUnits, modelIo } from '../../src/core/jobs/model-analysis';
import { Discovery } from '../../src/core/units/discover';
import type { UnitKind } from '../../src/core/units/attention-heads';
import { GateGradientRunner } from '../../src/core/runtime/gate-gradient-runner';
import { pruneModel } from '../../src/core/prune/prune';
import { PruneVerifier } from '../../src/core/prune/verify';
import { createRng, deriveSeed } from '../../src/core/data/random';
import { runExtractJob } from '../../src/core/jobs/extract-job';
import { DEFAULT_EXTRACT_CONFIG } from '../../src/core/bise/config';
import { npyBytes } from './npy-writer';
import { maxAbsDiff } from './fixtures';
import { ZooReference, ZooSite, loadZooReference, zooModelPath } from './zoo';

export type ZooStage = 'load' | 'gradients' | 'prune' | 'extract';
export const ZOO_STAGES: readonly ZooStage[] = ['load', 'gradients', 'prune', 'extract'];

/** Logits (and z) of the engine vs the float64 PyTorch reference, absolute. */
export const LOGIT_TOLERANCE = 1e-4;
/** Gate gradients, ‖engine − torch‖ / ‖torch‖ per site. */
export const GRADIENT_TOLERANCE = 1e-3;
/** Pruned model vs gated model, max |Δlogit|. */
export const PRUNE_TOLERANCE = 1e-4;
/** Batch sizes the pruned export is verified at. */
export const PRUNE_BATCHES = [1, 3] as const;

export interface ZooLoaded {
  readonly name: string;
  readonly path: string;
  readonly model: Model;
  readonly io: ModelIo;
  readonly discovery: Discovery;
}

/** What `bise info` does: read, check every op, infer shapes, find the classifier and the units. */
export function loadZooModel(name: string): ZooLoaded {
  const file = zooModelPath(name);
  const model = readModelFile(file);
  const io = modelIo(model, file);
  return { name, path: file, model, io, discovery: discoverModelUnits(model, file, io) };
}

export interface UnitSummary {
  readonly groups: number;
  readonly units: number;
  readonly sites: number;
  /** Units (Conv/Gemm/MatMul nodes) seen but left ungated. */
  readonly skipped: number;
}

export function unitSummary(d: Discovery): UnitSummary {
  return { groups: d.groups.length, units: d.groups.reduce((s, g) => s + g.channels, 0), sites: d.sites.length, skipped: d.skipped.length };
}

export interface GradientCheck {
  readonly sites: number;
  readonly maxLogitDiff: number;
  /** Largest per-site relative error. */
  readonly worstRelativeError: number;
}

/** ‖a − b‖ / ‖b‖, or ‖a‖ where b is all zeros (a site the loss does not reach). */
function relativeOrAbsolute(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
}

/** Logits, z and every engine gate site's gradient (one gate per site) against the PyTorch reference. */
export async function checkGradients(loaded: ZooLoaded, ref: ZooReference = loadZooReference(loaded.name), threads = 2): Promise<GradientCheck> {
  if (loaded.discovery.bottleneck !== ref.z_tensor) {
    throw new Error(`the engine's bottleneck '${loaded.discovery.bottleneck}' is not the reference's z '${ref.z_tensor}'`);
  }
  const refSites = new Map(ref.sites.map((s) => [s.tensor, s]));
  const runner = await GateGradientRunner.create(loaded.model, { batchSize: ref.input.dims[0], sharing: 'site' }, { threads });
  try {
    const sites = runner.graphs.discovery.sites;
    const missing = sites.find((s) => !refSites.has(s.tensor));
    if (missing) throw new Error(`gate site '${missing.tensor}' has no PyTorch counterpart in the reference`);
    const gates = runner.graphs.gates.map((g) => new Float32Array(g.channels).fill(1));
    const fwd = await runner.forward(Float32Array.from(ref.input.data), gates);
    const logitDiff = maxAbsDiff(fwd.logits, ref.logits.data);
    if (!(logitDiff <= LOGIT_TOLERANCE)) throw new Error(`logits differ from PyTorch's by ${logitDiff.toExponential(2)} (> ${LOGIT_TOLERANCE})`);
    const zDiff = maxAbsDiff(fwd.z, ref.z.data);
    if (!(zDiff <= LOGIT_TOLERANCE)) throw new Error(`z ('${ref.z_tensor}') differs from PyTorch's by ${zDiff.toExponential(2)} (> ${LOGIT_TOLERANCE})`);
    const grads = await runner.backward(fwd, Float32Array.from(ref.upstream_logits.data), Float32Array.from(ref.upstream_z.data));
    let worst = 0;
    sites.forEach((s, k) => {
      const site = refSites.get(s.tensor) as ZooSite;
      // A gate on the channels-last axis (NHWC activations, a Linear's [N, tokens, D] output) has its own reference.
      const expected = s.axis === 1 ? site.grad : s.axis === s.rank - 1 ? site.grad_last : undefined;
      if (!expected) throw new Error(`gate site '${s.tensor}' is gated on axis ${s.axis}, for which the reference has no gradient (rerun scripts/export-zoo.py)`);
      const err = relativeOrAbsolute(grads[k], expected);
      if (!(err <= GRADIENT_TOLERANCE)) throw new Error(`gate gradient of site '${s.tensor}' differs from PyTorch's: relative error ${err.toExponential(2)} (> ${GRADIENT_TOLERANCE})`);
      worst = Math.max(worst, err);
    });
    return { sites: sites.length, maxLogitDiff: logitDiff, worstRelativeError: worst };
  } finally {
    await runner.release();
  }
}

export interface PruneCheck {
  readonly keptUnits: number;
  readonly units: number;
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  /** max |logit_pruned − logit_gated| per batch size of PRUNE_BATCHES. */
  readonly maxDiffs: readonly number[];
}

/** A random keep-mask per group (about half the units, never none), seeded. */
export function randomMasks(d: Discovery, seed: number): boolean[][] {
  const rng = createRng(deriveSeed(seed, 'zoo-masks'));
  return d.groups.map((g) => {
    const keep = Array.from({ length: g.channels }, () => rng.nextFloat() < 0.5);
    keep[rng.nextInt(g.channels)] = true;
    return keep;
  });
}

/**
 * Prunes with a random mask, writes the model to bytes and reads it back (the exported file, as a user gets
 * it), then compares it with the gated source in onnxruntime at every batch size of PRUNE_BATCHES.
 */
export async function checkPrunedExport(loaded: ZooLoaded, seed = 0, threads = 2): Promise<PruneCheck> {
  const masks = randomMasks(loaded.discovery, seed);
  const result = pruneModel(loaded.model, loaded.discovery, masks);
  const exported = parseModel(serializeModel(result.model), `${loaded.name} (pruned)`);
  const verifier = await PruneVerifier.create(loaded.model, loaded.discovery, { threads });
  try {
    const rng = createRng(deriveSeed(seed, 'zoo-inputs'));
    const maxDiffs: number[] = [];
    for (const batch of PRUNE_BATCHES) {
      const dims = [batch, ...loaded.io.sampleDims];
      const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.nextNormal());
      const { maxAbsDiff: diff } = await verifier.compare(exported, masks, { dims, data });
      if (!(diff <= PRUNE_TOLERANCE)) throw new Error(`at batch ${batch} the pruned model's logits differ from the gated model's by ${diff.toExponential(2)} (> ${PRUNE_TOLERANCE})`);
      maxDiffs.push(diff);
    }
    const r = result.report;
    if (!(r.paramsAfter < r.paramsBefore)) throw new Error(`the pruned model has ${r.paramsAfter} parameters, not fewer than the source's ${r.paramsBefore}`);
    return { keptUnits: r.unitsAfter, units: r.unitsBefore, paramsBefore: r.paramsBefore, paramsAfter: r.paramsAfter, maxDiffs };
  } finally {
    await verifier.release();
  }
}

export interface ExtractCheck {
  readonly seconds: number;
  readonly keptUnits: number;
  readonly units: number;
}

/** Random uint8 images of the model's input size (as stored: C, H, W) with labels and a bias correlated with them. */
function writeRandomNpyFolder(dir: string, sampleDims: readonly number[], seed: number): void {
  const rng = createRng(deriveSeed(seed, 'zoo-data'));
  const sizes = { train: 48, val: 16, test: 16 };
  fs.mkdirSync(dir, { recursive: true });
  for (const [split, n] of Object.entries(sizes)) {
    const y = Array.from({ length: n }, (_, i) => i % 4);
    const b = y.map((v) => (rng.nextFloat() < 0.8 ? v % 2 : 1 - (v % 2)));
    const x = Array.from({ length: n * sampleDims.reduce((a, c) => a * c, 1) }, () => rng.nextInt(256));
    fs.writeFileSync(path.join(dir, `x_${split}.npy`), npyBytes({ descr: '|u1', shape: [n, ...sampleDims], data: x }));
    fs.writeFileSync(path.join(dir, `y_${split}.npy`), npyBytes({ descr: '<i4', shape: [n], data: y }));
    fs.writeFileSync(path.join(dir, `b_${split}.npy`), npyBytes({ descr: '<i4', shape: [n], data: b }));
  }
}

/**
 * One epoch of mask learning (one aux epoch) on 48 random images, then pruning, verification and the report;
 * `units`: which units are gated (--units; default mlp).
 */
export async function checkExtract(loaded: ZooLoaded, seed = 0, threads = 2, units?: UnitKind): Promise<ExtractCheck> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-zoo-'));
  try {
    const modelPath = path.join(dir, `${loaded.name}.onnx`);
    fs.copyFileSync(loaded.path, modelPath);
    writeRandomNpyFolder(path.join(dir, 'data'), loaded.io.sampleDims, seed);
    const started = performance.now();
    const result = await runExtractJob(
      {
        modelPath,
        data: { kind: 'npy-folder', dir: path.join(dir, 'data'), seed },
        config: { ...DEFAULT_EXTRACT_CONFIG, seed, batchSize: 16, maxEpochs: 1, auxEpochs: 1, tauPeriod: 1 },
        outDir: path.join(dir, 'run'),
        overwrite: false,
        threads,
        randomSeeds: 1,
        probe: false,
        probeEpochs: 1,
        ...(units && { units }),
      },
      { onEvent: () => undefined },
    );
    if (!fs.existsSync(path.join(result.folder, `${loaded.name}.bise.onnx`))) throw new Error('the extract job wrote no pruned model');
    const p = result.report.pruning;
    return { seconds: (performance.now() - started) / 1000, keptUnits: p.unitsAfter, units: p.unitsBefore };
  } catch (e) {
    throw new Error(errorText(e, dir)); // the job names its copy of the model, in a folder removed below
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The first line of an error, short enough for a table cell: without the model's folder (the table names the
 * model) and without the list of every supported op that follows an unsupported one.
 */
export function errorText(e: unknown, folder = path.dirname(zooModelPath('x'))): string {
  const text = e instanceof Error ? e.message : String(e);
  return text
    .split(folder + path.sep)
    .join('')
    .split('\n')[0]
    .replace(/ \(supported: [^)]*\)/, '');
}

export interface ZooFailure {
  readonly stage: ZooStage;
  readonly message: string;
}

/**
 * Runs the stages in order (extract only when asked) and returns the first failure, or undefined when every
 * stage passed. What zoo.test.ts asserts about each model.
 */
export async function firstFailure(name: string, options: { readonly extract: boolean; readonly threads?: number }): Promise<ZooFailure | undefined> {
  let loaded: ZooLoaded;
  try {
    loaded = loadZooModel(name);
  } catch (e) {
    return { stage: 'load', message: errorText(e) };
  }
  const stages: [ZooStage, () => Promise<unknown>][] = [
    ['gradients', () => checkGradients(loaded, loadZooReference(name), options.threads)],
    ['prune', () => checkPrunedExport(loaded, 0, options.threads)],
    ...(options.extract ? ([['extract', () => checkExtract(loaded, 0, options.threads)]] as [ZooStage, () => Promise<unknown>][]) : []),
  ];
  for (const [stage, run] of stages) {
    try {
      await run();
    } catch (e) {
      return { stage, message: errorText(e) };
    }
  }
  return undefined;
}
