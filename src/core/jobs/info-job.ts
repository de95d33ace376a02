/** `bise info`: what the engine sees in a model — inputs, ops, classifier, bottleneck, units and their groups. */
import { readModelFile } from '../onnx/reader';
import { Model, defaultOpset } from '../onnx/ir';
import { ModelCost, modelCost } from '../onnx/model-cost';
import { Discovery } from '../units/discover';
import type { UnitKind } from '../units/attention-heads';
import { SessionConfig } from '../runtime/session';
import { discoverModelUnits } from './model-analysis';
import { ModelSignature, describeInput, modelSignature } from './model-signature';
import { PreflightResult, preflightModel } from './preflight';

export interface ModelInfo {
  readonly path: string;
  readonly irVersion: number;
  readonly opset: number;
  readonly producer: string;
  /** The first data input (an image model's only one). */
  readonly input: { readonly name: string; readonly shape: readonly (number | string | null)[] };
  /** Every data input: name, element type, declared shape, dynamic axes (`description`: one line for `bise info`). */
  readonly inputs: readonly {
    readonly name: string;
    readonly dtype: string;
    readonly shape: readonly (number | string | null)[];
    readonly sequenceAxis: boolean;
    readonly description: string;
  }[];
  readonly ops: Readonly<Record<string, number>>;
  readonly parameters: number;
  /** Per-sample FLOPs at the declared input shapes (onnx/model-cost.ts). */
  readonly cost: ModelCost;
  readonly classifier: string;
  readonly bottleneck: string;
  /** How z pools the bottleneck over its spatial axes, for a conv classifier the head pools (units/discover.ts). */
  readonly bottleneckPooling?: string;
  readonly groups: readonly {
    readonly id: number;
    readonly label: string;
    readonly units: number;
    readonly producers: readonly string[];
    /** Grouped / depthwise convs whose channels go with this group's units. */
    readonly followers: readonly string[];
    /** Tensors the gate multiplies; the channel axis is named when it is not 1 (NHWC, transformer MLPs). */
    readonly sites: readonly string[];
  }[];
  readonly skipped: readonly { readonly node: string; readonly reason: string }[];
}

/** What the engine found to gate: the part of ModelInfo that comes from unit discovery. */
export type UnitsInfo = Pick<ModelInfo, 'classifier' | 'bottleneck' | 'bottleneckPooling' | 'groups' | 'skipped'>;

export interface CheckedModelInfo extends ModelInfo {
  /** The checks a job runs before its first epoch (jobs/preflight.ts), passed. */
  readonly preflight: PreflightResult;
}

/** The model's structure as the engine sees it (quick: no onnxruntime session; the set-up form's header). */
export function describeModel(path: string, bottleneck?: string, units?: UnitKind): ModelInfo {
  const model = readModelFile(path);
  const io = modelSignature(model, path);
  return summarize(path, model, io, discoverModelUnits(model, path, io, bottleneck, units));
}

/**
 * `bise info`: the structure, then the checks an extract job runs before its first epoch (graph building,
 * backward shapes, a pruned and verified random subnetwork), so a model that cannot finish is refused here.
 */
export async function describeAndCheckModel(path: string, bottleneck?: string, session?: SessionConfig, units?: UnitKind): Promise<CheckedModelInfo> {
  const model = readModelFile(path);
  const io = modelSignature(model, path);
  const d = discoverModelUnits(model, path, io, bottleneck, units);
  const preflight = await preflightModel(model, path, d, { bottleneck, session, ...(units && { units }) });
  return { ...summarize(path, model, io, d), preflight };
}

/** The `inputs` line(s) of `bise info`: every data input with its element type and dynamic axes. */
export function formatInputs(info: ModelInfo): string {
  return info.inputs.length === 1 ? `input ${info.inputs[0].description}` : `inputs:\n${info.inputs.map((v) => `  ${v.description}`).join('\n')}`;
}

function summarize(path: string, model: Model, io: ModelSignature, d: Discovery): ModelInfo {
  const input = io.input;
  const ops: Record<string, number> = {};
  for (const n of model.graph.nodes) ops[n.opType] = (ops[n.opType] ?? 0) + 1;
  let parameters = 0;
  for (const t of model.graph.initializers.values()) parameters += t.data.length;
  return {
    path,
    irVersion: model.irVersion,
    opset: defaultOpset(model),
    producer: `${model.producerName} ${model.producerVersion}`.trim(),
    input: { name: input, shape: model.graph.inputs[0].shape ?? [] },
    inputs: io.inputs.map((v) => ({ name: v.name, dtype: v.dtype, shape: v.shape, sequenceAxis: v.sequenceAxis, description: describeInput(v) })),
    ops,
    parameters,
    cost: modelCost(model.graph, io.inputs, io.sequenceLength),
    ...describeUnits(d),
  };
}

/** The classifier, bottleneck, gate groups (units, producers, sites) and the layers left ungated, as `bise info` lists them. */
export function describeUnits(d: Discovery): UnitsInfo {
  return {
    classifier: d.classifier,
    bottleneck: d.bottleneck,
    ...(d.bottleneckPooling && { bottleneckPooling: d.bottleneckPooling }),
    groups: d.groups.map((g) => ({ id: g.id, label: g.label, units: g.channels, producers: g.producers, followers: g.followers, sites: g.sites.map((s) => (g.kind === 'heads' ? `${s.tensor} (${s.repeat > 1 ? `${g.channels} heads of ${s.repeat} features` : 'heads'} on axis ${s.axis})` : s.axis === 1 ? s.tensor : `${s.tensor} (channels on axis ${s.axis})`)) })),
    skipped: d.skipped,
  };
}
