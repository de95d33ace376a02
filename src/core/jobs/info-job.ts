/** `bise info`: what the engine sees in a model — inputs, ops, classifier, bottleneck, units and their groups. */
import { readModelFile } from '../onnx/reader';
import { defaultOpset } from '../onnx/ir';
import { discoverModelUnits, modelIo } from './model-analysis';

export interface ModelInfo {
  readonly path: string;
  readonly irVersion: number;
  readonly opset: number;
  readonly producer: string;
  readonly input: { readonly name: string; readonly shape: readonly (number | string | null)[] };
  readonly ops: Readonly<Record<string, number>>;
  readonly parameters: number;
  readonly classifier: string;
  readonly bottleneck: string;
  readonly groups: readonly { readonly id: number; readonly label: string; readonly units: number; readonly producers: readonly string[]; readonly sites: readonly string[] }[];
  readonly skipped: readonly { readonly node: string; readonly reason: string }[];
}

export function describeModel(path: string, bottleneck?: string): ModelInfo {
  const model = readModelFile(path);
  const io = modelIo(model, path);
  const input = io.input;
  const d = discoverModelUnits(model, path, io, bottleneck);
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
    ops,
    parameters,
    classifier: d.classifier,
    bottleneck: d.bottleneck,
    groups: d.groups.map((g) => ({ id: g.id, label: g.label, units: g.channels, producers: g.producers, sites: g.sites.map((s) => s.tensor) })),
    skipped: d.skipped,
  };
}
