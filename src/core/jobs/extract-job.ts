/**
 * `bise extract` (and the extension's "Extract unbiased subnetwork"): learn the BISE masks on a model, measure
 * the subnetwork against the vanilla model and the baselines, physically prune it, verify the pruned model
 * against the gated one in onnxruntime, and write the report folder next to (never over) the source model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readJobModel } from './job-model';
import { serializeModel } from '../onnx/writer';
import { ExtractConfig } from '../bise/config';
import { extractSubnetwork, ExtractResult } from '../bise/extract';
import { assessSubnetwork, Assessment } from '../bise/assess';
import { pruneModel } from '../prune/prune';
import { verifyPruning } from '../prune/verify';
import { isTokenBatch, readBatch } from '../data/streaming/read-batches';
import { ExecutionProvider } from '../runtime/session';
import { BiseReport, REPORT_SCHEMA, REPORT_VERSION } from '../report/schema';
import { writeReportFolder } from '../report/write-report';
import { formatPercent } from '../report/format';
import { BuiltinDatasetSpec, LoadedData, datasetSha256, fileSha256 } from './builtin-datasets';
import { JobContext } from './job-context';
import { throwIfCancelled } from '../bise/events';
import { discoverModelUnits } from './model-analysis';
import type { UnitKind } from '../units/attention-heads';
import { modelSignature } from './model-signature';
import { fedInputs, shapeMap } from '../graphs/model-inputs';
import { loadDataForModel } from './model-data';
import { preflightModel } from './preflight';
import { identifiedBias, substituteLabelQuality, withNoisyBias } from './bias-labels';
import { BiasLabelQualityRecord } from '../metrics/bias-label-quality';
import { AnyDataset, isTokenDataset, sampleDims } from '../data/dataset';
import { Model } from '../onnx/ir';
import { SessionConfig } from '../runtime/session';
import { MIB, defaultMemoryBudgetBytes } from '../runtime/memory-budget';
import { TOOL_NAME, TOOL_VERSION } from './tool-version';
import { BaselineSpec, baselineExtraction } from './baseline-subnetwork';

export interface ExtractJobOptions {
  readonly modelPath: string;
  readonly data: BuiltinDatasetSpec;
  readonly config: ExtractConfig;
  /** Report folder (default: `<model folder>/<model name>.bise`). */
  readonly outDir?: string;
  readonly overwrite: boolean;
  readonly bottleneck?: string;
  /** Which units get gates (units/discover.ts): neurons and channels ('mlp', the default), attention heads, or both. */
  readonly units?: UnitKind;
  readonly provider?: ExecutionProvider;
  readonly threads?: number;
  /** MiB the mask step may take (default: half of the free memory); the engine picks its configuration by it (runtime/memory-budget.ts). */
  readonly memoryMb?: number;
  readonly randomSeeds: number;
  readonly probe: boolean;
  readonly probeEpochs: number;
  /** Where the training bias labels come from (default: the dataset's). */
  readonly biasFrom?: 'given' | 'identify';
  /** Fraction of training bias labels flipped to another value (robustness to noisy labels). */
  readonly biasNoise?: number;
  /** Instead of learning masks: a random or magnitude subnetwork at the per-group sparsity of another run. */
  readonly baseline?: BaselineSpec;
}

export interface ExtractJobResult {
  readonly folder: string;
  readonly report: BiseReport;
  readonly files: readonly string[];
}

/** Largest |logit difference| accepted between the pruned model and the gated source. */
export const PRUNE_TOLERANCE = 1e-4;

/** `<name>.bise` next to the model, or `<name>.random` / `<name>.magnitude` for a baseline. */
export function defaultReportFolder(modelPath: string, baseline?: BaselineSpec): string {
  const parsed = path.parse(path.resolve(modelPath));
  return path.join(parsed.dir, `${parsed.name}.${baseline?.kind ?? 'bise'}`);
}

export async function runExtractJob(o: ExtractJobOptions, ctx: JobContext): Promise<ExtractJobResult> {
  const started = performance.now();
  const folder = path.resolve(o.outDir ?? defaultReportFolder(o.modelPath, o.baseline));
  if (fs.existsSync(folder) && !o.overwrite) throw new Error(`the report folder '${folder}' already exists; pass --overwrite to replace it, or --out to choose another`);
  const { model, modelSha } = hashedModel(readJobModel(o.modelPath));
  // The model is refused (naming the file) before any data is read: unsupported ops, no classifier, no units.
  const io = modelSignature(model, o.modelPath);
  const discovery = discoverModelUnits(model, o.modelPath, io, o.bottleneck, o.units);
  const session = {
    provider: o.provider,
    threads: o.threads,
    memoryBudgetBytes: o.memoryMb !== undefined ? o.memoryMb * MIB : defaultMemoryBudgetBytes(),
    onNote: (m: string) => ctx.onEvent({ type: 'log', level: 'warn', message: m }),
    onMemoryChoice: (m: string) => ctx.onEvent({ type: 'log', level: 'info', message: m }),
  };
  // Everything else that could refuse the model (backward graph, pruning, export) is tried on a random mask now,
  // in seconds, rather than after the mask-learning epochs.
  const checked = await preflightModel(model, o.modelPath, discovery, { bottleneck: o.bottleneck, ...(o.units && { units: o.units }), seed: o.config.seed, session: { ...session, onNote: undefined } });
  ctx.onEvent({ type: 'log', level: 'info', message: `model checked in ${checked.seconds.toFixed(1)} s: its gated graphs build and a random subnetwork prunes and verifies` });
  throwIfCancelled(ctx.signal);
  const { spec, data } = loadDataForModel(o.data, model, io, o.modelPath);

  // A baseline learns nothing, so it reads no training labels.
  const train = o.baseline ? data.train : await trainingBiasLabels(o, model, data.train, session, ctx);
  const biasLabels = labelQuality(data.train, train, data.biasAttributes);
  for (const q of biasLabels) {
    ctx.onEvent({ type: 'log', level: 'info', message: `training bias labels (${q.attribute}) agree with the dataset's on ${formatPercent(q.agreement)} of ${q.samples} samples; they flag ${q.flaggedConflicting} as bias-conflicting, ${formatPercent(q.conflictingRecall)} of the ${q.trueConflicting} truly conflicting (precision ${formatPercent(q.conflictingPrecision)})` });
  }
  const extracted = o.baseline
    ? baselineExtraction(o.baseline, model, discovery, o.config.seed)
    : await extractSubnetwork({
        model,
        train,
        val: data.val,
        config: o.config,
        discover: o.bottleneck || o.units ? { ...(o.bottleneck && { bottleneck: o.bottleneck }), ...(o.units && { units: o.units }) } : undefined,
        session,
        onEvent: ctx.onEvent,
        signal: ctx.signal,
      });
  const keep = keepDecisions(extracted, ctx);
  const assessment = await assessSubnetwork({
    model,
    discovery: extracted.discovery,
    gates: extracted.gates,
    keep,
    probeTrain: o.probe ? data.val : undefined,
    test: data.test,
    seed: o.config.seed,
    randomSeeds: o.randomSeeds,
    probeEpochs: o.probeEpochs,
    session,
    onEvent: ctx.onEvent,
  });
  // assess and verification do not look at the signal; a cancel that came meanwhile is honoured before writing.
  throwIfCancelled(ctx.signal);
  // A token model's FLOPs are counted for one text of the data's padded length (an image model's for one image).
  const sequence = isTokenDataset(data.test) ? { inputShapes: shapeMap(fedInputs(io.inputs, { batchSize: 1, sequenceLength: data.test.sequenceLength })) } : {};
  const pruned = pruneModel(model, extracted.discovery, keep, sequence);
  const sample = await readBatch(data.test, Int32Array.from({ length: Math.min(100, data.test.y.length) }, (_, i) => i));
  const batch = isTokenBatch(sample) ? { inputs: sample.inputs } : { dims: [sample.y.length, ...sampleDims(data.test)], data: sample.x };
  const check = await verifyPruning(model, extracted.discovery, keep, batch, { pruned: pruned.model, session });
  if (!(check.maxAbsDiff <= PRUNE_TOLERANCE)) {
    throw new Error(`the pruned model's logits differ from the gated model's by ${check.maxAbsDiff} (> ${PRUNE_TOLERANCE}); nothing was written. Please report this with the model.`);
  }
  ctx.onEvent({ type: 'log', level: 'info', message: `pruned model verified: max |Δlogit| = ${check.maxAbsDiff.toExponential(2)} on ${sample.y.length} test samples` });

  const modelName = path.parse(o.modelPath).name;
  const prunedName = `${modelName}.${o.baseline?.kind ?? 'bise'}.onnx`;
  const report = buildReport(o, spec, {
    modelSha,
    data,
    dataSha: await datasetSha256(data),
    extracted,
    keep,
    assessment,
    pruning: pruned.report,
    prunedName,
    biasLabels,
    seconds: (performance.now() - started) / 1000,
    provider: session.provider ?? 'cpu',
    folder,
  });
  const masksJson = JSON.stringify({ groups: report.masks }, null, 1) + '\n';
  throwIfCancelled(ctx.signal);
  const written = writeReportFolder(folder, report, { prunedModel: serializeModel(pruned.model), masksJson }, { protect: [path.resolve(o.modelPath)], overwrite: o.overwrite });
  return { folder, report, files: written };
}

/** The file's hash taken at once, so that its bytes (ResNet-50: 90 MB) are not held through the run. */
function hashedModel(read: { readonly bytes: Uint8Array; readonly model: Model }): { model: Model; modelSha: string } {
  return { model: read.model, modelSha: fileSha256(read.bytes) };
}

async function trainingBiasLabels(o: ExtractJobOptions, model: Model, train: AnyDataset, session: SessionConfig, ctx: JobContext): Promise<AnyDataset> {
  if (isTokenDataset(train)) {
    // Both train or perturb image datasets only (bias-labels.ts); text models take the data's bias labels as they are.
    if (o.biasFrom === 'identify') throw new Error("--bias-from identify is not supported for token (text) models yet: it trains a model's weights, which the engine does for image models only; give the bias column(s) of the data");
    if (o.biasNoise) throw new Error('--bias-noise is not supported for token (text) models yet');
    return train;
  }
  let labelled = train;
  if (o.biasFrom === 'identify') {
    ctx.onEvent({ type: 'log', level: 'info', message: 'no bias labels used: training an identification model for 1 epoch and taking its predictions as bias labels' });
    labelled = await identifiedBias(model, train, { seed: o.config.seed, epochs: 1, lr: 0.02, session, onEvent: ctx.onEvent, signal: ctx.signal });
  }
  return o.biasNoise ? withNoisyBias(labelled, o.biasNoise, o.config.seed) : labelled;
}

/** How substitute training bias labels compare with the data's (image data only: text has no substitutes). */
function labelQuality(original: AnyDataset, used: AnyDataset, attributeNames: readonly string[]): BiasLabelQualityRecord[] {
  return isTokenDataset(original) || isTokenDataset(used) ? [] : substituteLabelQuality(original, used, attributeNames);
}

/** m ≥ 0 keeps a unit; a group that lost every unit keeps its highest-scoring one (and says so). */
function keepDecisions(r: ExtractResult, ctx: JobContext): boolean[][] {
  return r.masks.map((m, i) => {
    const keep = Array.from(m, (v) => v >= 0);
    if (!keep.some(Boolean)) {
      let best = 0;
      m.forEach((v, k) => v > m[best] && (best = k));
      keep[best] = true;
      ctx.onEvent({ type: 'log', level: 'warn', message: `every unit of group ${r.discovery.groups[i].id} (${r.discovery.groups[i].label}) was pruned; keeping unit ${best} (the highest mask logit) so the network stays connected` });
    }
    return keep;
  });
}

interface ReportParts {
  readonly modelSha: string;
  readonly data: LoadedData<AnyDataset>;
  readonly dataSha: string;
  readonly extracted: ExtractResult;
  readonly keep: boolean[][];
  readonly assessment: Assessment;
  readonly pruning: BiseReport['pruning'];
  readonly prunedName: string;
  readonly biasLabels: readonly BiasLabelQualityRecord[];
  readonly seconds: number;
  readonly provider: string;
  readonly folder: string;
}

function buildReport(o: ExtractJobOptions, spec: BuiltinDatasetSpec, p: ReportParts): BiseReport {
  const { extracted, assessment } = p;
  const groups = extracted.discovery.groups;
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    createdAt: new Date().toISOString(),
    tool: { name: TOOL_NAME, version: TOOL_VERSION, onnxruntime: ort.env.versions.common ?? 'unknown', node: process.versions.node, executionProvider: p.provider },
    model: {
      path: path.relative(p.folder, path.resolve(o.modelPath)).split(path.sep).join('/'),
      sha256: p.modelSha,
      bottleneck: extracted.discovery.bottleneck,
      classifier: extracted.discovery.classifier,
    },
    data: {
      name: p.data.name,
      description: p.data.description,
      sha256: p.dataSha,
      trainSize: p.data.train.y.length,
      valSize: p.data.val.y.length,
      testSize: p.data.test.y.length,
      biasAttributes: [...p.data.biasAttributes],
    },
    config: { ...o.config, dataset: spec.kind, ...flatSpec(spec), randomSeeds: o.randomSeeds, probe: o.probe, probeEpochs: o.probeEpochs, biasFrom: o.biasFrom ?? 'given', biasNoise: o.biasNoise ?? 0, units: o.units ?? 'mlp', ...(o.baseline && { baseline: o.baseline.kind, baselineLike: o.baseline.like }) },
    seed: o.config.seed,
    history: extracted.history.map(({ type: _type, msPerStep: _ms, ...rest }) => rest),
    selection: { criterion: o.config.selection, epoch: extracted.selectedEpoch },
    masks: groups.map((g, i) => ({
      group: g.id,
      label: g.label,
      producers: [...g.producers],
      sites: g.sites.map((s) => s.tensor),
      logits: Array.from(extracted.masks[i]),
      keep: p.keep[i],
    })),
    metrics: { vanilla: assessment.vanilla, subnetwork: assessment.subnetwork, baselines: assessment.baselines },
    pruning: p.pruning,
    probe: assessment.probe,
    ...(p.biasLabels.length > 0 && { biasLabels: [...p.biasLabels] }),
    ...(p.extracted.collapse && { collapse: { ...p.extracted.collapse } }),
    ...(p.extracted.earlyStop && { earlyStop: { ...p.extracted.earlyStop } }),
    outputs: { prunedModel: p.prunedName, masks: 'masks.json', figures: [] },
    timings: { totalSeconds: p.seconds, msPerStep: extracted.msPerStep },
  };
}

/** A dataset spec as flat `data.<field>` config entries (numbers and strings only). */
export function flatSpec(spec: BuiltinDatasetSpec): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(spec)) if (k !== 'kind' && (typeof v === 'number' || typeof v === 'string')) out[`data.${k}`] = v;
  return out;
}
