/**
 * Reverse-mode autodiff over an ONNX graph: emits a separate backward graph that takes the upstream gradients
 * of some forward tensors ("seeds") plus the forward tensors the rules need ("saved"), and returns the gradients
 * of the requested targets (gate inputs, weights).
 */
import { Attribute, DType, Graph, Node, Tensor, ValueInfo } from '../onnx/ir';
import { ShapeMap, broadcastShapes } from '../onnx/shape-inference';
import { int64Tensor } from '../onnx/ir';
import { sameShape as sameDims } from './helpers';
import { GradientContext, GradientError } from './rule';
import { ruleFor } from './registry';
import { carriesGradient, producedDtype } from '../ops/output-dtypes';

export interface BackwardSpec {
  readonly forward: Graph;
  readonly shapes: ShapeMap;
  /** Forward tensors that receive an upstream gradient (e.g. logits, z). */
  readonly seeds: readonly string[];
  /** Forward graph inputs or initializers whose gradient the backward graph returns. */
  readonly targets: readonly string[];
  /** The forward model's default-domain opset (default 17, the engine's). */
  readonly opset?: number;
}

export interface BackwardGraph {
  readonly graph: Graph;
  /** seed tensor -> name of the backward graph input that carries its upstream gradient. */
  readonly seedInputs: ReadonlyMap<string, string>;
  /** target -> name of the backward graph output holding its gradient. */
  readonly gradOutputs: ReadonlyMap<string, string>;
  /** Forward intermediates the backward graph reads: the forward pass must output these. */
  readonly savedIntermediates: readonly string[];
  /** Forward graph inputs the backward graph reads: the caller feeds the same values again. */
  readonly savedInputs: readonly string[];
}

interface Grad {
  readonly name: string;
  readonly shape: readonly number[];
}

export const gradInputName = (seed: string): string => `grad_in::${seed}`;
export const gradOutputName = (target: string): string => `grad_out::${target}`;

export function buildBackward(spec: BackwardSpec): BackwardGraph {
  const { forward, shapes } = spec;
  const nodes = forward.nodes;
  const constants = collectConstants(forward);

  // Forward pass: which tensors depend on a target. Boolean and integer outputs (comparisons, Shape, a Cast to
  // int) are piecewise constant: gradients stop there, so e.g. Where's condition never asks for one.
  const requires = new Set(spec.targets);
  for (const n of nodes) {
    if (n.inputs.some((i) => requires.has(i))) n.outputs.forEach((o, i) => o && carriesGradient(n, i) && requires.add(o));
  }
  // Backward pass: which tensors influence a seed.
  const reaches = new Set(spec.seeds);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const n = nodes[k];
    if (n.outputs.some((o) => reaches.has(o))) n.inputs.forEach((i) => i && reaches.add(i));
  }

  const emitted: Node[] = [];
  const addedConstants = new Map<string, Tensor>();
  let counter = 0;
  const fresh = (hint: string): string => `bwd::${hint}_${counter++}`;

  // A gradient may be smaller than its tensor when it broadcasts to it (e.g. after GlobalAveragePool).
  const contributions = new Map<string, Grad[]>();
  const seedInputs = new Map<string, string>();
  for (const s of spec.seeds) {
    const shape = shapes.get(s);
    if (!shape) throw new Error(`seed tensor '${s}' is not in the forward graph`);
    seedInputs.set(s, gradInputName(s));
    contributions.set(s, [{ name: gradInputName(s), shape }]);
  }
  const accumulated = new Map<string, Grad>();
  const gradOf = (tensor: string): Grad | undefined => {
    const done = accumulated.get(tensor);
    if (done) return done;
    const parts = contributions.get(tensor);
    if (!parts || parts.length === 0) return undefined;
    const total =
      parts.length === 1
        ? parts[0]
        : { name: emitNode('Sum', parts.map((p) => p.name), {}, 1, 'sum')[0], shape: parts.map((p) => p.shape).reduce((a, b) => broadcastShapes(a, b, `gradient of '${tensor}'`)) };
    accumulated.set(tensor, total);
    return total;
  };
  const expanded = new Map<string, string>();
  const fullGradOf = (tensor: string): string | undefined => {
    const g = gradOf(tensor);
    const full = shapes.get(tensor) as readonly number[];
    if (!g || sameDims(g.shape, full)) return g?.name;
    const done = expanded.get(tensor);
    if (done) return done;
    const shapeConst = fresh('const_expand_shape');
    addedConstants.set(shapeConst, int64Tensor([full.length], full));
    const name = emitNode('Expand', [g.name, shapeConst], {}, 1, 'expand')[0];
    expanded.set(tensor, name);
    return name;
  };
  function emitNode(opType: string, inputs: readonly string[], attributes: Record<string, Attribute>, outputCount: number, hint: string): string[] {
    const outputs = Array.from({ length: outputCount }, () => fresh(hint));
    emitted.push({ name: fresh(`${opType}_node`), opType, domain: '', inputs: [...inputs], outputs, attributes });
    return outputs;
  }

  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const active = node.outputs.some((o) => o && reaches.has(o) && requires.has(o)) && node.inputs.some((i) => i && requires.has(i));
    if (!active) continue;
    const rule = ruleFor(node);
    const outGrads: (Grad | undefined)[] = node.outputs.map((o) => {
      if (!o) return undefined;
      if (rule.acceptsBroadcastGrad) return gradOf(o);
      const name = fullGradOf(o);
      return name === undefined ? undefined : { name, shape: shapes.get(o) as readonly number[] };
    });
    if (outGrads.every((g) => g === undefined)) continue;
    const set = new Map<number, Grad>();
    const ctx: GradientContext = {
      node,
      opset: spec.opset ?? 17,
      input: (i) => node.inputs[i] ?? '',
      output: (i) => node.outputs[i] ?? '',
      shape: (name) => {
        const s = shapes.get(name);
        if (!s) throw new GradientError(node, `shape of '${name}' is unknown`);
        return s;
      },
      constant: (name) => constants.get(name),
      outputGrad: (i) => outGrads[i]?.name,
      outputGradShape: (i) => outGrads[i]?.shape ?? (shapes.get(node.outputs[i]) as readonly number[]),
      needsGrad: (i) => !!node.inputs[i] && requires.has(node.inputs[i]),
      setInputGrad: (i, tensor, shape) => set.set(i, { name: tensor, shape: shape ?? (shapes.get(node.inputs[i]) as readonly number[]) }),
      emit: (opType, inputs, attributes = {}, outputCount = 1) => emitNode(opType, inputs, attributes, outputCount, `${node.opType}_${opType}`),
      op: (opType, inputs, attributes = {}) => emitNode(opType, inputs, attributes, 1, `${node.opType}_${opType}`)[0],
      addConstant: (hint, value) => {
        const name = fresh(`const_${hint}`);
        addedConstants.set(name, value);
        return name;
      },
    };
    rule.build(ctx);
    node.inputs.forEach((input, i) => {
      if (!input || !requires.has(input)) return;
      const g = set.get(i);
      if (g === undefined) throw new GradientError(node, `the rule produced no gradient for input ${i} ('${input}')`);
      contributions.set(input, [...(contributions.get(input) ?? []), g]);
    });
  }

  const gradOutputs = new Map<string, string>();
  const outputs: ValueInfo[] = [];
  for (const t of spec.targets) {
    const shape = shapes.get(t);
    if (!shape) throw new Error(`gradient target '${t}' is not in the forward graph`);
    const g = fullGradOf(t);
    const source = g ?? (() => {
      const zero = fresh(`zeros_${t}`);
      addedConstants.set(zero, { dtype: 'float32', dims: shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
      return zero;
    })();
    const out = gradOutputName(t);
    emitted.push({ name: fresh('output_node'), opType: 'Identity', domain: '', inputs: [source], outputs: [out], attributes: {} });
    gradOutputs.set(t, out);
    outputs.push({ name: out, dtype: 'float32', shape });
  }

  // Whatever the emitted nodes read that they do not produce comes from the forward graph.
  const produced = new Set<string>([...emitted.flatMap((n) => n.outputs), ...addedConstants.keys(), ...seedInputs.values()]);
  const forwardInputs = new Set(forward.inputs.map((v) => v.name));
  const initializers = new Map<string, Tensor>(addedConstants);
  const savedIntermediates: string[] = [];
  const savedInputs: string[] = [];
  for (const n of emitted) {
    for (const i of n.inputs) {
      if (!i || produced.has(i) || initializers.has(i) || savedIntermediates.includes(i) || savedInputs.includes(i)) continue;
      const c = constants.get(i);
      if (c) initializers.set(i, c);
      else if (forwardInputs.has(i)) savedInputs.push(i);
      else if (shapes.has(i)) savedIntermediates.push(i);
      else throw new Error(`backward graph reads '${i}', which the forward graph does not define`);
    }
  }
  const dtypeOf = (name: string): DType => forward.inputs.find((v) => v.name === name)?.dtype ?? forward.valueInfo.get(name)?.dtype ?? intermediateDtype(forward, name);
  const inputs: ValueInfo[] = [
    ...[...seedInputs].map(([seed, name]) => ({ name, dtype: 'float32' as DType, shape: shapes.get(seed) ?? null })),
    ...[...savedInputs, ...savedIntermediates].map((name) => ({ name, dtype: dtypeOf(name), shape: shapes.get(name) ?? null })),
  ];
  return {
    graph: { name: `${forward.name}_backward`, nodes: emitted, inputs, outputs, initializers, valueInfo: new Map() },
    seedInputs,
    gradOutputs,
    savedIntermediates,
    savedInputs,
  };
}

function collectConstants(g: Graph): Map<string, Tensor> {
  const out = new Map(g.initializers);
  for (const n of g.nodes) {
    const v = n.attributes.value;
    if (n.opType === 'Constant' && v?.type === 'tensor') out.set(n.outputs[0], v.value);
  }
  return out;
}

/** A saved tensor is float unless its op fixes another type (MaxPool's Indices, a comparison Where reads). */
function intermediateDtype(g: Graph, name: string): DType {
  return producedDtype(g.nodes, name);
}
