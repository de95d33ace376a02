/**
 * The worker's answer to `describe`: the engine's view of a model as the set-up form's summary, or why the model
 * cannot be read. Runs in the worker process, so parsing a large model never blocks the extension host. Besides the
 * gated layers it says whether the model takes token ids (the form then offers text datasets and a tokenizer) and
 * which attention blocks have heads it can gate (the form then offers `units`).
 */
import { readModelFile } from '../core/onnx/reader';
import { Model, defaultOpset } from '../core/onnx/ir';
import { discoverModelUnits } from '../core/jobs/model-analysis';
import { ModelSignature, modelSignature } from '../core/jobs/model-signature';
import { takesTokens } from '../core/jobs/token-data-fits-model';
import { discoverUnits } from '../core/units/discover';
import type { ModelSummary } from '../protocol/webview-messages';
import type { ModelSummaryMessage } from '../protocol/worker-messages';

export type ModelDescriber = (modelPath: string) => ModelSummaryMessage;

export const describeForForm: ModelDescriber = (modelPath) => {
  try {
    return { type: 'model-summary', model: summarizeModel(readModelFile(modelPath), modelPath), error: null };
  } catch (e) {
    return { type: 'model-summary', model: null, error: e instanceof Error ? e.message : String(e) };
  }
};

/** The form's summary of a parsed model: its units as a default run gates them ('mlp'), its token inputs and its heads. */
export function summarizeModel(model: Model, modelPath: string): ModelSummary {
  const io = modelSignature(model, modelPath);
  const d = discoverModelUnits(model, modelPath, io);
  let parameters = 0;
  for (const t of model.graph.initializers.values()) parameters += t.data.length;
  const attention = attentionBlocks(model, io);
  return {
    inputShape: model.graph.inputs[0]?.shape?.map((v) => (v === null ? '?' : String(v))).join('×') ?? '',
    parameters,
    classifier: d.classifier,
    bottleneck: d.bottleneck,
    groups: d.groups.map((g) => ({ id: g.id, label: g.label, units: g.channels })),
    ...(takesTokens(io) && { tokenInputs: io.inputs.filter((v) => v.dtype !== 'float32').map((v) => v.name) }),
    ...(attention.length > 0 && { attention }),
  };
}

/** The attention blocks whose heads `--units heads` would gate; none without a Softmax (no attention to look for). */
function attentionBlocks(model: Model, io: ModelSignature): { label: string; heads: number }[] {
  if (!model.graph.nodes.some((n) => n.opType === 'Softmax')) return [];
  const d = discoverUnits(model.graph, io.shapes, { opset: defaultOpset(model), units: 'heads' });
  return d.groups.filter((g) => g.kind === 'heads').map((g) => ({ label: g.label, heads: g.channels }));
}
