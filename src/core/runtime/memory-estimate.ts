/**
 * What the two sessions of a step (forward, backward) will hold, estimated from the graphs and their static shapes
 * before any session is built: the constants in the sessions, the tensors the step keeps between forward and
 * backward, and each session's largest set of live intermediates, with the activation spectra of the convs the
 * frequency domain would take (graphs/frequency-conv) added where they run.
 */
import { Graph } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { BYTES_PER_ELEMENT } from '../onnx/tensor-codec';
import { LoweringOptions, frequencyPlans } from '../graphs/frequency-conv';
import { spectrumBytes, workspaceBytes } from '../graphs/frequency-conv/plan';

/** onnxruntime gives these outputs the memory of their input (no copy). */
const ALIASING_OPS: ReadonlySet<string> = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity']);

export interface SessionGraph {
  readonly graph: Graph;
  readonly shapes: ShapeMap;
}

export interface StepMemoryEstimate {
  /** Initializers of both sessions (a weight both read counts twice). */
  readonly constants: number;
  /** Kernel spectra of the lowered convs, both sessions. */
  readonly spectra: number;
  /** The forward's outputs and the backward's, held in the caller's buffers between and after the runs. */
  readonly kept: number;
  /** Largest total of live intermediates while the forward runs (lowered convs' spectra included). */
  readonly forward: number;
  readonly backward: number;
}

/** Bytes of one tensor from its static shape and, when the graph declares it, its element type (float32 otherwise). */
function tensorBytes(g: SessionGraph, name: string, dtypes: ReadonlyMap<string, string>): number {
  const dims = g.shapes.get(name);
  if (!dims) return 0;
  const perElement = BYTES_PER_ELEMENT[dtypes.get(name) as keyof typeof BYTES_PER_ELEMENT] ?? 4;
  return dims.reduce((a, b) => a * b, 1) * perElement;
}

function declaredTypes(graph: Graph): Map<string, string> {
  return new Map([...graph.inputs, ...graph.outputs, ...graph.valueInfo.values()].map((v) => [v.name, v.dtype]));
}

/**
 * The largest total of intermediates alive at once while the nodes run in graph order: a tensor lives from the node
 * that makes it to its last reader (through reshapes, which share its memory); graph inputs, initializers and
 * outputs live in the caller's or the session's own memory and are not counted. `extraAt(i)`: scratch memory node
 * i needs while it runs.
 */
export function peakIntermediateBytes(g: SessionGraph, extraAt: (nodeIndex: number) => number = () => 0): number {
  const { graph } = g;
  const external = new Set([...graph.inputs.map((v) => v.name), ...graph.initializers.keys(), ...graph.outputs.map((v) => v.name)]);
  const root = new Map<string, string>();
  const rootOf = (name: string): string => root.get(name) ?? name;
  graph.nodes.forEach((node) => {
    if (ALIASING_OPS.has(node.opType) && node.inputs[0]) root.set(node.outputs[0], rootOf(node.inputs[0]));
  });
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const t of [...node.inputs, ...node.outputs]) if (t) lastUse.set(rootOf(t), i);
  });
  const dtypes = declaredTypes(graph);
  let live = 0;
  let peak = 0;
  const allocated = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const out of node.outputs) {
      const r = rootOf(out);
      if (!out || r !== out || external.has(out) || allocated.has(out)) continue;
      const bytes = tensorBytes(g, out, dtypes);
      allocated.set(out, bytes);
      live += bytes;
    }
    peak = Math.max(peak, live + extraAt(i));
    for (const [name, bytes] of allocated) {
      if (lastUse.get(name) === i) {
        live -= bytes;
        allocated.delete(name);
      }
    }
  });
  return peak;
}

function initializerBytes(graph: Graph): number {
  let bytes = 0;
  for (const t of graph.initializers.values()) bytes += t.data.byteLength;
  return bytes;
}

/**
 * The estimate for the two sessions with `lowering` deciding which convs run in the frequency domain (undefined:
 * every conv direct). A lowered conv's weight stays counted (the backward may read it): the spectra come on top.
 */
export function estimateStepMemory(forward: SessionGraph, backward: SessionGraph, lowering: LoweringOptions | undefined): StepMemoryEstimate {
  let spectra = 0;
  const session = (g: SessionGraph): number => {
    const plans = lowering ? frequencyPlans(g.graph, g.shapes, lowering) : new Map();
    for (const plan of plans.values()) spectra += spectrumBytes(plan);
    return peakIntermediateBytes(g, (i) => {
      const plan = plans.get(i);
      return plan ? workspaceBytes(plan) : 0;
    });
  };
  const outputs = (g: SessionGraph): number => {
    const dtypes = declaredTypes(g.graph);
    return g.graph.outputs.reduce((sum, o) => sum + tensorBytes(g, o.name, dtypes), 0);
  };
  const [f, b] = [session(forward), session(backward)];
  return { constants: initializerBytes(forward.graph) + initializerBytes(backward.graph), spectra, kept: outputs(forward) + outputs(backward), forward: f, backward: b };
}

/** The activation spectra of every conv the frequency domain would take in either session, largest first. */
export function loweredWorkspaces(forward: SessionGraph, backward: SessionGraph): number[] {
  return [forward, backward].flatMap((g) => [...frequencyPlans(g.graph, g.shapes).values()].map(workspaceBytes)).sort((a, b) => b - a);
}
