/**
 * The BISE report: everything a run produced and everything needed to judge or reproduce it, written as
 * report.json (versioned) and read back with parseReport, which validates every field so that tools reading a
 * report never see a half-valid object.
 *
 * Version policy: REPORT_VERSION changes when a field is renamed, removed or changes meaning; this build reads
 * its own version and older ones it still understands, and refuses newer ones with a message saying so.
 */
import type { GroupReport, LayerReport, PruneReport } from '../prune/prune';
import type { BiasLabelQualityRecord } from '../metrics/bias-label-quality';
import type { BlockGroupRecord, TransformerBlockRecord } from './transformer-blocks';
import {
  DecodeError,
  Decoder,
  Fields,
  JsonPath,
  ReportParseError,
  array,
  boolean,
  child,
  count,
  decodeFile,
  describeFound,
  finiteNumber,
  integer,
  literal,
  matching,
  nonNegativeNumber,
  nullable,
  object,
  oneOf,
  optional,
  parseJson,
  positiveInteger,
  positiveNumber,
  primitive,
  record,
  string,
  union,
  unitInterval,
} from './decode';

export const REPORT_SCHEMA = 'bise-report';
/**
 * 2: metrics gained `perBias` (every bias attribute's aligned/conflicting/worst group) and, with several bias
 * attributes, `alignmentCells`. Version 1 reports (without them) are still read.
 */
export const REPORT_VERSION = 2;
// Audit reports (kind "audit", audit-schema.ts) are version 3; extraction reports have no kind and stay at this version.
export type ReportVersion = 1 | 2;

/** Accuracy on the samples aligned (b_k = y) and conflicting (b_k ≠ y) with one bias attribute. */
export interface BiasAccuracyRecord {
  alignedAccuracy: number;
  conflictingAccuracy: number;
  worstGroupAccuracy: number;
  alignedSamples: number;
  conflictingSamples: number;
}

/** One combination of aligned/conflicting over all bias attributes (flags in data.biasAttributes order). */
export interface AlignmentCellRecord {
  aligned: boolean[];
  accuracy: number;
  samples: number;
}

/**
 * Accuracies are fractions in [0, 1]. The aligned/conflicting/worst-group fields are the first bias attribute's;
 * `perBias` (version 2) has one entry per attribute of data.biasAttributes, `alignmentCells` (version 2, two or
 * more attributes) the 2^B joint cells, attribute 0 varying slowest, aligned first.
 */
export interface EvalMetrics {
  unbiasedAccuracy: number;
  alignedAccuracy: number;
  conflictingAccuracy: number;
  worstGroupAccuracy: number;
  perClassAccuracy: number[];
  samples: number;
  perBias?: BiasAccuracyRecord[];
  alignmentCells?: AlignmentCellRecord[];
}

/** The probe on the bottleneck for one further bias attribute (`attribute`: its index in data.biasAttributes, ≥ 1). */
export interface ProbeBiasRecord {
  attribute: number;
  linearAccuracy: number;
  mlpAccuracy: number;
  mutualInformation: number;
  chance: number;
}

/**
 * A fresh classifier trained to predict the bias from the bottleneck (lower = less bias information left). The
 * top-level fields and perLayer are the first bias attribute's; `perBias` (two or more attributes) has the probe
 * on the bottleneck for each further attribute, in data.biasAttributes order from the second.
 */
export interface ProbeResult {
  linearAccuracy: number;
  mlpAccuracy: number;
  /** Normalised mutual information between the bias and the probe's prediction. */
  mutualInformation: number;
  /** Accuracy of always predicting the most frequent bias value. */
  chance: number;
  perLayer: { site: string; label: string; accuracy: number }[];
  perBias?: ProbeBiasRecord[];
}

export interface EpochRecord {
  epoch: number;
  tau: number;
  loss: number;
  crossEntropy: number;
  mutualInformation: number;
  trainAccuracy: number;
  auxAccuracy: number;
  /** Null on epochs without a validation pass, or without an unbiased validation set. */
  valUnbiasedAccuracy: number | null;
  keptUnits: number;
  totalUnits: number;
  seconds: number;
}

/** The selected mask of one dependency group: one logit and one keep flag per unit. */
export interface MaskRecord {
  group: number;
  label: string;
  producers: string[];
  sites: string[];
  logits: number[];
  keep: boolean[];
}

export interface BaselineResult {
  name: string;
  metrics: EvalMetrics;
  /** For randomised baselines: how many seeds the metrics average over. */
  seeds?: number;
}

/** bise/extract.ts's CollapseRecord as written in report.json. */
export interface CollapseReportRecord {
  reason: string;
  keptUnits: number;
  maskInit: number;
  action: 'restarted' | 'continued';
  restartMaskInit?: number;
}

/** bise/early-stop.ts's EarlyStopRecord as written in report.json: mask learning stopped once every unit had settled. */
export interface EarlyStopReportRecord {
  /** The last epoch that ran, and the schedule's last (a 'last' selection names it: its masks are replayed exactly). */
  epoch: number;
  scheduledEpochs: number;
  settledUnits: number;
  skippedSteps: number;
}

export interface BiseReport {
  schema: typeof REPORT_SCHEMA;
  /** Written as REPORT_VERSION; older versions read back as they were. */
  version: ReportVersion;
  /** ISO 8601 date-time. */
  createdAt: string;
  tool: { name: string; version: string; onnxruntime: string; node: string; executionProvider: string };
  model: { path: string; sha256: string; bottleneck: string; classifier: string };
  data: { name: string; description: string; sha256: string; trainSize: number; valSize: number; testSize: number; biasAttributes: string[] };
  /** Every hyperparameter, flat. */
  config: Record<string, number | string | boolean | null>;
  seed: number;
  history: EpochRecord[];
  selection: { criterion: 'best-val-unbiased' | 'last'; epoch: number };
  masks: MaskRecord[];
  metrics: { vanilla: EvalMetrics; subnetwork: EvalMetrics; baselines: BaselineResult[] };
  pruning: PruneReport;
  probe: { vanilla: ProbeResult; subnetwork: ProbeResult } | null;
  /**
   * Present when BISE trained with substitute bias labels ('identify', or noise) on a dataset that has its own:
   * how well they matched, per comparable attribute.
   */
  biasLabels?: BiasLabelQualityRecord[];
  /** Present when the first epoch collapsed to chance and the run restarted from a safer initial mask logit or carried on. */
  collapse?: CollapseReportRecord;
  /** Present when every unit settled before the schedule's end and mask learning stopped there, with the same masks. */
  earlyStop?: EarlyStopReportRecord;
  /**
   * A transformer's mask groups by block (transformer-blocks.ts): which attention heads and MLP neurons each block
   * lost. Derived from `masks` when the folder is written (report-files.ts); absent for other models.
   */
  transformerBlocks?: TransformerBlockRecord[];
  /** Paths relative to the report folder, with '/' separators. */
  outputs: { prunedModel: string; masks: string; figures: string[] };
  timings: { totalSeconds: number; msPerStep: number };
}

/** A path inside the report folder: relative, '/'-separated, no '.', '..' or empty segments, portable characters. */
export function isReportRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || /[\\:*?"<>|\u0000-\u001f]/.test(p)) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

export const sha256 = matching('a SHA-256 digest (64 lowercase hex digits)', /^[0-9a-f]{64}$/);
export const isoDateTime = primitive(
  'an ISO 8601 date-time such as "2026-03-01T12:00:00.000Z"',
  (v): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
);
export const relativePath = primitive(
  'a path relative to the report folder (\'/\'-separated, no "..")',
  (v): v is string => typeof v === 'string' && isReportRelativePath(v),
);
const strings = array(string);
export const configValue = union<number | string | boolean | null>('a number, string, boolean or null', finiteNumber, string, boolean, primitive('null', (v): v is null => v === null));

export const biasAccuracy: Decoder<BiasAccuracyRecord> = object<BiasAccuracyRecord>({
  alignedAccuracy: unitInterval,
  conflictingAccuracy: unitInterval,
  worstGroupAccuracy: unitInterval,
  alignedSamples: count,
  conflictingSamples: count,
});

const alignmentCell: Decoder<AlignmentCellRecord> = object<AlignmentCellRecord>({ aligned: array(boolean), accuracy: unitInterval, samples: count });

export const evalMetrics: Decoder<EvalMetrics> = object<EvalMetrics>(
  {
    unbiasedAccuracy: unitInterval,
    alignedAccuracy: unitInterval,
    conflictingAccuracy: unitInterval,
    worstGroupAccuracy: unitInterval,
    perClassAccuracy: array(unitInterval),
    samples: count,
    perBias: optional(array(biasAccuracy)),
    alignmentCells: optional(array(alignmentCell)),
  },
  (m, path) => {
    for (const [i, b] of (m.perBias ?? []).entries()) {
      if (b.alignedSamples + b.conflictingSamples !== m.samples) {
        throw new DecodeError(child(child(path, 'perBias'), i), `aligned (${b.alignedSamples}) + conflicting (${b.conflictingSamples}) samples differ from samples (${m.samples})`);
      }
    }
    const cellSamples = (m.alignmentCells ?? []).reduce((s, c) => s + c.samples, 0);
    if (m.alignmentCells && cellSamples !== m.samples) throw new DecodeError(child(path, 'alignmentCells'), `the cells hold ${cellSamples} samples, expected samples (${m.samples})`);
  },
);

/** Per-bias fields agree with the report's version and its bias attributes. */
function checkPerBias(r: BiseReport, path: JsonPath | null): void {
  const attributes = r.data.biasAttributes.length;
  const all: [JsonPath, EvalMetrics][] = [
    [child(child(path, 'metrics'), 'vanilla'), r.metrics.vanilla],
    [child(child(path, 'metrics'), 'subnetwork'), r.metrics.subnetwork],
    ...r.metrics.baselines.map((b, i): [JsonPath, EvalMetrics] => [child(child(child(child(path, 'metrics'), 'baselines'), i), 'metrics'), b.metrics]),
  ];
  for (const [at, m] of all) checkMetricsPerBias(m, at, attributes, r.version);
}

/** One model's per-bias fields agree with the report's version and its number of bias attributes. */
export function checkMetricsPerBias(m: EvalMetrics, at: JsonPath, attributes: number, version: number): void {
  for (const field of ['perBias', 'alignmentCells'] as const) {
    if (m[field] !== undefined && version < 2) throw new DecodeError(child(at, field), `is a version 2 field, but the report says version ${version}`);
  }
  if (m.perBias && m.perBias.length !== attributes) {
    throw new DecodeError(child(at, 'perBias'), `has ${m.perBias.length} entries, expected one per bias attribute (${attributes})`);
  }
  if (m.alignmentCells) {
    if (m.alignmentCells.length !== 2 ** attributes) throw new DecodeError(child(at, 'alignmentCells'), `has ${m.alignmentCells.length} cells, expected 2^${attributes}`);
    m.alignmentCells.forEach((c, i) => {
      if (c.aligned.length !== attributes) throw new DecodeError(child(child(child(at, 'alignmentCells'), i), 'aligned'), `has ${c.aligned.length} flags, expected one per bias attribute (${attributes})`);
    });
  }
}

const probeBias: Decoder<ProbeBiasRecord> = object<ProbeBiasRecord>({
  attribute: positiveInteger,
  linearAccuracy: unitInterval,
  mlpAccuracy: unitInterval,
  mutualInformation: finiteNumber,
  chance: unitInterval,
});

export const probeResult: Decoder<ProbeResult> = object<ProbeResult>({
  linearAccuracy: unitInterval,
  mlpAccuracy: unitInterval,
  mutualInformation: finiteNumber,
  chance: unitInterval,
  perLayer: array(object<ProbeResult['perLayer'][number]>({ site: string, label: string, accuracy: unitInterval })),
  perBias: optional(array(probeBias)),
});

/** The probe's per-attribute entries: both models or neither, one per attribute after the first, in order. */
function checkProbePerBias(r: BiseReport, path: JsonPath | null): void {
  if (!r.probe) return;
  const further = r.data.biasAttributes.length - 1;
  const at = (model: 'vanilla' | 'subnetwork'): JsonPath => child(child(child(path, 'probe'), model), 'perBias');
  const { vanilla, subnetwork } = r.probe;
  if ((vanilla.perBias === undefined) !== (subnetwork.perBias === undefined)) {
    const missing = vanilla.perBias === undefined ? 'vanilla' : 'subnetwork';
    throw new DecodeError(child(child(path, 'probe'), missing), `has no perBias, but the other model's probe has; expected both or neither`);
  }
  for (const model of ['vanilla', 'subnetwork'] as const) {
    const list = r.probe[model].perBias;
    if (list === undefined) continue;
    if (r.version < 2) throw new DecodeError(at(model), `is a version 2 field, but the report says version ${r.version}`);
    if (list.length !== further) throw new DecodeError(at(model), `has ${list.length} entries, expected one per bias attribute after the first (${further})`);
    list.forEach((b, i) => {
      if (b.attribute !== i + 1) throw new DecodeError(child(child(at(model), i), 'attribute'), `is ${b.attribute}, expected ${i + 1} (entries follow data.biasAttributes from the second)`);
    });
  }
}

/** The fields of one history row; the worker protocol's epoch event reuses them. */
export const EPOCH_RECORD_FIELDS: Fields<EpochRecord> = {
  epoch: count,
  tau: positiveNumber,
  loss: finiteNumber,
  crossEntropy: finiteNumber,
  mutualInformation: finiteNumber,
  trainAccuracy: unitInterval,
  auxAccuracy: unitInterval,
  valUnbiasedAccuracy: nullable(unitInterval),
  keptUnits: count,
  totalUnits: count,
  seconds: nonNegativeNumber,
};

const biasLabelQuality: Decoder<BiasLabelQualityRecord> = object<BiasLabelQualityRecord>({
  attribute: string,
  samples: count,
  agreement: unitInterval,
  trueConflicting: count,
  flaggedConflicting: count,
  conflictingRecall: unitInterval,
  conflictingPrecision: unitInterval,
});

const epochRecord: Decoder<EpochRecord> = object<EpochRecord>(
  EPOCH_RECORD_FIELDS,
  (r, path) => {
    if (r.keptUnits > r.totalUnits) throw new DecodeError(child(path, 'keptUnits'), `${r.keptUnits} kept units exceed totalUnits (${r.totalUnits})`);
  },
);

const maskRecord: Decoder<MaskRecord> = object<MaskRecord>(
  { group: count, label: string, producers: strings, sites: strings, logits: array(finiteNumber), keep: array(boolean) },
  (m, path) => {
    if (m.keep.length !== m.logits.length) {
      throw new DecodeError(child(path, 'keep'), `has ${m.keep.length} entries but logits has ${m.logits.length}; expected one of each per unit`);
    }
  },
);

const blockGroup: Decoder<BlockGroupRecord> = object<BlockGroupRecord>({ group: count, kind: oneOf('heads', 'neurons'), units: count, removed: array(count) }, (g, path) => {
  if (g.removed.length > g.units || g.removed.some((u) => u >= g.units)) throw new DecodeError(child(path, 'removed'), `lists units outside the group's ${g.units}`);
});

const transformerBlock: Decoder<TransformerBlockRecord> = object<TransformerBlockRecord>({ block: string, groups: array(blockGroup) });

const dims = array(count);

const layerReport: Decoder<LayerReport> = object<LayerReport>({
  node: string,
  opType: string,
  weight: string,
  weightDimsBefore: dims,
  weightDimsAfter: dims,
  paramsBefore: count,
  paramsAfter: count,
  flopsBefore: count,
  flopsAfter: count,
});

const groupReport: Decoder<GroupReport> = object<GroupReport>(
  { group: count, label: string, producers: strings, channels: count, kept: count, removed: count, removedIndices: array(count) },
  (g, path) => {
    if (g.kept + g.removed !== g.channels) throw new DecodeError(child(path, 'removed'), `kept (${g.kept}) + removed (${g.removed}) differs from channels (${g.channels})`);
    if (g.removedIndices.length !== g.removed) throw new DecodeError(child(path, 'removedIndices'), `lists ${g.removedIndices.length} indices but removed is ${g.removed}`);
  },
);

const pruneReport: Decoder<PruneReport> = object<PruneReport>({
  inputShapes: record(dims),
  paramsBefore: count,
  paramsAfter: count,
  flopsBefore: count,
  flopsAfter: count,
  unitsBefore: count,
  unitsAfter: count,
  layers: array(layerReport),
  groups: array(groupReport),
});

const reportDecoder: Decoder<BiseReport> = object<BiseReport>(
  {
    schema: literal(REPORT_SCHEMA),
    version: union<ReportVersion>('1 or 2', literal(1), literal(2)),
    createdAt: isoDateTime,
    tool: object<BiseReport['tool']>({ name: string, version: string, onnxruntime: string, node: string, executionProvider: string }),
    model: object<BiseReport['model']>({ path: string, sha256, bottleneck: string, classifier: string }),
    data: object<BiseReport['data']>({
      name: string,
      description: string,
      sha256,
      trainSize: count,
      valSize: count,
      testSize: count,
      biasAttributes: strings,
    }),
    config: record(configValue),
    seed: integer,
    history: array(epochRecord),
    selection: object<BiseReport['selection']>({ criterion: oneOf('best-val-unbiased', 'last'), epoch: count }),
    masks: array(maskRecord),
    metrics: object<BiseReport['metrics']>({
      vanilla: evalMetrics,
      subnetwork: evalMetrics,
      baselines: array(object<BaselineResult>({ name: string, metrics: evalMetrics, seeds: optional(positiveInteger) })),
    }),
    pruning: pruneReport,
    probe: nullable(object<NonNullable<BiseReport['probe']>>({ vanilla: probeResult, subnetwork: probeResult })),
    biasLabels: optional(array(biasLabelQuality)),
    collapse: optional(
      object<CollapseReportRecord>({ reason: string, keptUnits: count, maskInit: finiteNumber, action: oneOf('restarted', 'continued'), restartMaskInit: optional(finiteNumber) }),
    ),
    earlyStop: optional(object<EarlyStopReportRecord>({ epoch: count, scheduledEpochs: count, settledUnits: count, skippedSteps: count })),
    transformerBlocks: optional(array(transformerBlock)),
    outputs: object<BiseReport['outputs']>({ prunedModel: relativePath, masks: relativePath, figures: array(relativePath) }),
    timings: object<BiseReport['timings']>({ totalSeconds: nonNegativeNumber, msPerStep: nonNegativeNumber }),
  },
  (r, path) => {
    checkPerBias(r, path);
    checkProbePerBias(r, path);
    // After an early stop, a 'last' selection names the schedule's last epoch, which did not run (its masks were replayed).
    const replayed = r.earlyStop !== undefined && r.selection.epoch === r.earlyStop.scheduledEpochs;
    if (r.history.length > 0 && !replayed && !r.history.some((h) => h.epoch === r.selection.epoch)) {
      throw new DecodeError(child(child(path, 'selection'), 'epoch'), `epoch ${r.selection.epoch} is not in history (epochs ${r.history[0].epoch}–${r.history[r.history.length - 1].epoch})`);
    }
  },
);

/**
 * Parse and validate a report.json. `source` names the file in error messages, which also give the JSON path
 * of the bad value: `report.json: metrics.vanilla.unbiasedAccuracy: expected a number in [0, 1], found "x"`.
 * The schema name and version are checked first, so that another tool's file or a newer report gets a message
 * about that rather than about its first unfamiliar field.
 */
export function parseReport(json: string, source: string): BiseReport {
  const value = parseReportObject(json, source);
  const kind = value.kind;
  if (kind !== undefined) {
    const what =
      kind === 'audit'
        ? 'this is an audit report (bise audit, or "BISE: Audit Model for Bias"), not an extraction report; open its report.md'
        : `unknown report kind ${describeFound(kind)}; this build writes extraction reports (no kind) and audit reports (kind "audit"). Update the BISE extension to read it`;
    throw new ReportParseError(source, 'kind', what);
  }
  checkReportVersion(value, source, REPORT_VERSION);
  return decodeFile(reportDecoder, value, source);
}

/** A report file's top level: a JSON object with this schema (its kind and version are checked by the caller). */
export function parseReportObject(json: string, source: string): Record<string, unknown> {
  const value = parseJson(json, source);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReportParseError(source, '', `expected a JSON object (a BISE report), found ${describeFound(value)}`);
  }
  const head = value as Record<string, unknown>;
  if (head.schema !== REPORT_SCHEMA) {
    const found = head.schema === undefined ? 'no "schema" field' : `schema ${describeFound(head.schema)}`;
    throw new ReportParseError(source, 'schema', `not a BISE report: expected schema "${REPORT_SCHEMA}", found ${found}`);
  }
  return head;
}

/** A positive integer version no newer than `newest`, or a message saying to update. */
export function checkReportVersion(head: Record<string, unknown>, source: string, newest: number): void {
  if (!Number.isSafeInteger(head.version) || (head.version as number) < 1) {
    throw new ReportParseError(source, 'version', `expected a positive integer report version, found ${head.version === undefined ? 'nothing' : describeFound(head.version)}`);
  }
  if ((head.version as number) > newest) {
    throw new ReportParseError(
      source,
      'version',
      `this report has version ${head.version as number}, written by a newer BISE; this build reads version ${newest} and older. Update the BISE extension to read it`,
    );
  }
}
