/**
 * The worker's answer to `describe-model`: everything the model view shows about an ONNX file (what `bise info`
 * prints, without the run checks that need onnxruntime). Runs in the worker process, so reading a 500 MB model
 * never blocks the extension host. A file that does not parse is an error naming it; a model that parses but that
 * the engine cannot use still shows its inputs, outputs, ops and parameters, with every node it cannot handle.
 */
import * as fs from 'node:fs';
import { describeUnits } from '../core/jobs/info-job';
import { discoverModelUnits } from '../core/jobs/model-analysis';
import { ModelSignature, modelSignature } from '../core/jobs/model-signature';
import { Model } from '../core/onnx/ir';
import { modelCost } from '../core/onnx/model-cost';
import { readModelFile } from '../core/onnx/reader';
import { checkSupported } from '../core/onnx/shape-inference';
import type { ModelDescription, ModelViewCost, ModelViewUnits, TensorSignature, UnsupportedNode } from '../protocol/model-view';
import type { ModelDescriptionMessage } from '../protocol/worker-messages';

export type ModelViewDescriber = (modelPath: string) => ModelDescriptionMessage;

export const describeForView: ModelViewDescriber = (modelPath) => {
  try {
    return { type: 'model-description', description: describeModelFile(modelPath), error: null };
  } catch (e) {
    return { type: 'model-description', description: null, error: errorText(e) };
  }
};

/** The description of the model at `modelPath`; throws (naming the file) only when it cannot be read or parsed. */
export function describeModelFile(modelPath: string): ModelDescription {
  const model = readModelFile(modelPath);
  const unsupported = unsupportedNodes(model);
  const basics = { path: modelPath, fileBytes: fs.statSync(modelPath).size, ...describeGraph(model), unsupported };
  if (unsupported.length > 0) {
    const problem = `the engine cannot run ${unsupported.length === 1 ? `node '${unsupported[0].node}' (${unsupported[0].op})` : `${unsupported.length} of its nodes`}: ${unsupported[0].reason}${unsupported.length > 1 ? '; every one is listed below' : ''}`;
    return { ...basics, cost: null, units: null, problem };
  }
  // Shapes first: the cost needs only them, so a model without prunable units still shows its FLOPs.
  let io: ModelSignature;
  let cost: ModelViewCost;
  try {
    io = modelSignature(model, modelPath);
    const c = modelCost(model.graph, io.inputs, io.sequenceLength);
    cost = { flops: c.flops, multiplyAdds: c.multiplyAdds, counted: c.counted, inputs: c.inputs, ...(c.sequenceLength !== undefined && { sequenceLength: c.sequenceLength }) };
  } catch (e) {
    return { ...basics, cost: null, units: null, problem: withoutFile(modelPath, e) };
  }
  let units: ModelViewUnits;
  try {
    units = describeUnits(discoverModelUnits(model, modelPath, io));
  } catch (e) {
    return { ...basics, cost, units: null, problem: withoutFile(modelPath, e) };
  }
  return { ...basics, cost, units, problem: null };
}

/** IR, opsets, producer, inputs, outputs, op counts and parameters: all read off the parsed graph. */
function describeGraph(model: Model): Omit<ModelDescription, 'path' | 'fileBytes' | 'cost' | 'unsupported' | 'units' | 'problem'> {
  const ops = new Map<string, number>();
  for (const n of model.graph.nodes) {
    const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    ops.set(op, (ops.get(op) ?? 0) + 1);
  }
  let parameters = 0;
  for (const t of model.graph.initializers.values()) parameters += t.data.length;
  const signature = (v: { name: string; dtype: string; shape: readonly (number | string | null)[] | null }): TensorSignature => ({ name: v.name, dtype: v.dtype, shape: v.shape ? [...v.shape] : null });
  return {
    irVersion: model.irVersion,
    opsets: model.opsetImports.map((o) => ({ domain: o.domain === '' ? 'ai.onnx' : o.domain, version: o.version })),
    producer: { name: model.producerName, version: model.producerVersion },
    inputs: model.graph.inputs.map(signature),
    outputs: model.graph.outputs.map(signature),
    ops: [...ops].map(([op, count]) => ({ op, count })),
    parameters,
  };
}

/**
 * Every node the engine cannot handle, each checked alone (checkSupported stops at the first), so the view lists
 * them all. The reason leaves out the long list of supported ops that checkSupported appends.
 */
export function unsupportedNodes(model: Model): UnsupportedNode[] {
  return model.graph.nodes.flatMap((n) => {
    try {
      checkSupported({ ...model.graph, nodes: [n] });
      return [];
    } catch (e) {
      const prefix = `node '${n.name}'`;
      const text = errorText(e);
      const reason = (text.startsWith(prefix) ? text.slice(prefix.length).replace(/^:? /, '') : text).replace(/ \(supported: [^)]*\)$/, '');
      return [{ node: n.name, op: n.domain ? `${n.domain}.${n.opType}` : n.opType, reason }];
    }
  });
}

/** The view names the file in its heading: an engine error reads from its node or problem on. */
function withoutFile(modelPath: string, e: unknown): string {
  const text = errorText(e);
  return text.startsWith(`${modelPath}: `) ? text.slice(modelPath.length + 2) : text;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message || e.name : String(e);
}
