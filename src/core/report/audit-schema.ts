/**
 * The audit report (`bise audit`, "BISE: Audit Model for Bias"): one model measured without learning anything —
 * accuracy per group, Fairlearn's group-fairness metrics per bias attribute and the latent bias probe. Same schema
 * name, folder layout and writer as an extraction report; told apart by `kind: "audit"`.
 *
 * Version: report kinds came with version 3, so an audit report is written as version 3 and a build that only
 * knows extraction reports (version ≤ 2) refuses it as "written by a newer BISE" instead of failing on a field.
 * Extraction reports have no kind and keep their own version (REPORT_VERSION).
 */
import {
  DecodeError,
  Decoder,
  JsonPath,
  array,
  child,
  count,
  decodeFile,
  integer,
  literal,
  nonNegativeNumber,
  nullable,
  object,
  oneOf,
  record,
  ReportParseError,
  string,
  unitInterval,
} from './decode';
import {
  BiseReport,
  EvalMetrics,
  ProbeResult,
  REPORT_SCHEMA,
  checkMetricsPerBias,
  checkReportVersion,
  configValue,
  evalMetrics,
  isoDateTime,
  parseReport,
  parseReportObject,
  probeResult,
  relativePath,
  sha256,
} from './schema';

export const AUDIT_KIND = 'audit';
export const AUDIT_REPORT_VERSION = 3;

/** One group (value of the bias attribute) for one positive class; rates as Fairlearn defines them. */
export interface GroupRatesRecord {
  group: number;
  samples: number;
  positives: number;
  negatives: number;
  selectionRate: number;
  truePositiveRate: number;
  falsePositiveRate: number;
}

export interface ClassFairnessRecord {
  positiveClass: number;
  groups: GroupRatesRecord[];
  demographicParityDifference: number;
  /** Null where no group selects the positive class (Fairlearn: NaN). */
  demographicParityRatio: number | null;
  equalizedOddsDifference: number;
}

/**
 * Fairlearn's metrics with one bias attribute as the sensitive feature. `binary`: the target has two classes and
 * class 1 is positive (one entry in perClass); `one-vs-rest`: one entry per class, `worst` the least fair class.
 */
export interface FairnessRecord {
  attribute: string;
  mode: 'binary' | 'one-vs-rest';
  perClass: ClassFairnessRecord[];
  worst: { demographicParityDifference: number; demographicParityRatio: number | null; equalizedOddsDifference: number };
}

export interface AuditReport {
  schema: typeof REPORT_SCHEMA;
  kind: typeof AUDIT_KIND;
  version: typeof AUDIT_REPORT_VERSION;
  /** ISO 8601 date-time. */
  createdAt: string;
  tool: BiseReport['tool'];
  /** bottleneck and classifier are null when the audit ran without the probe (no unit discovery). */
  model: { path: string; sha256: string; bottleneck: string | null; classifier: string | null };
  data: BiseReport['data'];
  /** The dataset and probe settings, flat. */
  config: BiseReport['config'];
  seed: number;
  /** Accuracy on the test split. */
  metrics: EvalMetrics;
  /** One entry per bias attribute, in data.biasAttributes order. */
  fairness: FairnessRecord[];
  /** Probe trained on the validation split and scored on the test split; null when not run. */
  probe: ProbeResult | null;
  outputs: { figures: string[] };
  timings: { totalSeconds: number };
}

export type AnyReport = BiseReport | AuditReport;

export function isAuditReport(r: AnyReport): r is AuditReport {
  return 'kind' in r && r.kind === AUDIT_KIND;
}

const groupRates: Decoder<GroupRatesRecord> = object<GroupRatesRecord>(
  {
    group: count,
    samples: count,
    positives: count,
    negatives: count,
    selectionRate: unitInterval,
    truePositiveRate: unitInterval,
    falsePositiveRate: unitInterval,
  },
  (g, path) => {
    if (g.positives + g.negatives !== g.samples) throw new DecodeError(child(path, 'negatives'), `positives (${g.positives}) + negatives (${g.negatives}) differ from samples (${g.samples})`);
  },
);

const classFairness: Decoder<ClassFairnessRecord> = object<ClassFairnessRecord>({
  positiveClass: count,
  groups: array(groupRates),
  demographicParityDifference: unitInterval,
  demographicParityRatio: nullable(unitInterval),
  equalizedOddsDifference: unitInterval,
});

const fairnessRecord: Decoder<FairnessRecord> = object<FairnessRecord>({
  attribute: string,
  mode: oneOf('binary', 'one-vs-rest'),
  perClass: array(classFairness),
  worst: object<FairnessRecord['worst']>({ demographicParityDifference: unitInterval, demographicParityRatio: nullable(unitInterval), equalizedOddsDifference: unitInterval }),
});

/** Fairness entries follow the bias attributes, their classes the target's, their groups the test samples. */
function checkFairness(r: AuditReport, path: JsonPath | null): void {
  const attributes = r.data.biasAttributes;
  const at = child(path, 'fairness');
  if (r.fairness.length !== attributes.length) throw new DecodeError(at, `has ${r.fairness.length} entries, expected one per bias attribute (${attributes.length})`);
  const classes = r.metrics.perClassAccuracy.length;
  r.fairness.forEach((f, k) => {
    const here = child(at, k);
    if (f.attribute !== attributes[k]) throw new DecodeError(child(here, 'attribute'), `is "${f.attribute}", expected "${attributes[k]}" (data.biasAttributes[${k}])`);
    const expected = f.mode === 'binary' ? [1] : Array.from({ length: classes }, (_, c) => c);
    if (f.mode === 'binary' && classes !== 2) throw new DecodeError(child(here, 'mode'), `is "binary", but the target has ${classes} classes (binary needs 2)`);
    const found = f.perClass.map((c) => c.positiveClass);
    if (found.join() !== expected.join()) throw new DecodeError(child(here, 'perClass'), `has positive classes [${found.join(', ')}], expected [${expected.join(', ')}]`);
    f.perClass.forEach((c, i) => {
      const samples = c.groups.reduce((s, g) => s + g.samples, 0);
      if (samples !== r.metrics.samples) throw new DecodeError(child(child(child(here, 'perClass'), i), 'groups'), `hold ${samples} samples, expected metrics.samples (${r.metrics.samples})`);
    });
  });
}

function checkProbe(r: AuditReport, path: JsonPath | null): void {
  const list = r.probe?.perBias;
  if (!list) return;
  const at = child(child(path, 'probe'), 'perBias');
  const further = r.data.biasAttributes.length - 1;
  if (list.length !== further) throw new DecodeError(at, `has ${list.length} entries, expected one per bias attribute after the first (${further})`);
  list.forEach((b, i) => {
    if (b.attribute !== i + 1) throw new DecodeError(child(child(at, i), 'attribute'), `is ${b.attribute}, expected ${i + 1} (entries follow data.biasAttributes from the second)`);
  });
}

const auditDecoder: Decoder<AuditReport> = object<AuditReport>(
  {
    schema: literal(REPORT_SCHEMA),
    kind: literal(AUDIT_KIND),
    version: literal(AUDIT_REPORT_VERSION),
    createdAt: isoDateTime,
    tool: object<AuditReport['tool']>({ name: string, version: string, onnxruntime: string, node: string, executionProvider: string }),
    model: object<AuditReport['model']>({ path: string, sha256, bottleneck: nullable(string), classifier: nullable(string) }),
    data: object<AuditReport['data']>({ name: string, description: string, sha256, trainSize: count, valSize: count, testSize: count, biasAttributes: array(string) }),
    config: record(configValue),
    seed: integer,
    metrics: evalMetrics,
    fairness: array(fairnessRecord),
    probe: nullable(probeResult),
    outputs: object<AuditReport['outputs']>({ figures: array(relativePath) }),
    timings: object<AuditReport['timings']>({ totalSeconds: nonNegativeNumber }),
  },
  (r, path) => {
    checkMetricsPerBias(r.metrics, child(path, 'metrics'), r.data.biasAttributes.length, r.version);
    checkFairness(r, path);
    checkProbe(r, path);
  },
);

/** Parse and validate an audit report.json (errors name the file and the JSON path, as parseReport's). */
export function parseAuditReport(json: string, source: string): AuditReport {
  const value = parseReportObject(json, source);
  if (value.kind !== AUDIT_KIND) {
    throw new ReportParseError(source, 'kind', value.kind === undefined ? 'this is an extraction report (no "kind"), not an audit report' : `expected kind "${AUDIT_KIND}", found ${JSON.stringify(value.kind)}`);
  }
  checkReportVersion(value, source, AUDIT_REPORT_VERSION);
  return decodeFile(auditDecoder, value, source);
}

/** Any report this build writes: an extraction report or an audit report, by its `kind`. */
export function parseAnyReport(json: string, source: string): AnyReport {
  const value = parseReportObject(json, source);
  return value.kind === AUDIT_KIND ? parseAuditReport(json, source) : parseReport(json, source);
}
