/**
 * What a step's sessions will hold, estimated from the graphs and their static shapes before any session is built.
 * Two sessions (forward, backward: weight training): the constants in the sessions, the tensors the step keeps
 * between forward and backward, and each session's largest set of live intermediates. One session (the fused mask
 * step: forward and backward joined by tensor name): its constants and its largest set of live intermediates, the
 * forward's saved activations among them. Either way with the activation spectra of the convs the frequency domain
 * would take (graphs/frequency-conv) added where they run.
 */
import { Graph } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { BYTES_PER_ELEMENT } from '../onnx/tensor-codec';
import { LoweringOptions, frequencyPlans } from '../graphs/frequency-conv';
import { spectrumBytes, workspaceBytes } from '../graphs/frequency-conv/plan';
import { chainGraphs } from '../graphs/chain-graphs';

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

/** A session's largest live set with `lowering`'s convs in the frequency domain, and those convs' kernel spectra. */
function loweredSession(g: SessionGraph, lowering: LoweringOptions | undefined): { intermediates: number; spectra: number } {
  const plans = lowering ? frequencyPlans(g.graph, g.shapes, lowering) : new Map();
  const spectra = [...plans.values()].reduce((sum, plan) => sum + spectrumBytes(plan), 0);
  const intermediates = peakIntermediateBytes(g, (i) => {
    const plan = plans.get(i);
    return plan ? workspaceBytes(plan) : 0;
  });
  return { intermediates, spectra };
}

/**
 * The estimate for the two sessions with `lowering` deciding which convs run in the frequency domain (undefined:
 * every conv direct). A lowered conv's weight stays counted (the backward may read it): the spectra come on top.
 */
export function estimateStepMemory(forward: SessionGraph, backward: SessionGraph, lowering: LoweringOptions | undefined): StepMemoryEstimate {
  const [f, b] = [loweredSession(forward, lowering), loweredSession(backward, lowering)];
  const outputs = (g: SessionGraph): number => {
    const dtypes = declaredTypes(g.graph);
    return g.graph.outputs.reduce((sum, o) => sum + tensorBytes(g, o.name, dtypes), 0);
  };
  return {
    constants: initializerBytes(forward.graph) + initializerBytes(backward.graph),
    spectra: f.spectra + b.spectra,
    kept: outputs(forward) + outputs(backward),
    forward: f.intermediates,
    backward: b.intermediates,
  };
}

export interface FusedStepMemoryEstimate {
  /** Initializers of the joined graph (a weight forward and backward both read counts once). */
  readonly constants: number;
  /** Kernel spectra of the lowered convs. */
  readonly spectra: number;
  /** Largest total of live intermediates while the joined graph runs (saved activations and lowered convs' spectra included). */
  readonly intermediates: number;
}

/**
 * Forward and backward joined into one graph, as the fused step runs them (fused-step-runner.ts, without its small
 * loss graph: the backward's seeds are fed), nodes in graph order: forward, then backward.
 */
export function fusedStepGraph(forward: SessionGraph, backward: SessionGraph): SessionGraph {
  const outputs = [...forward.graph.outputs.filter((o) => !backward.graph.inputs.some((i) => i.name === o.name)), ...backward.graph.outputs];
  return { graph: chainGraphs('bise_step_estimate', [forward.graph, backward.graph], outputs), shapes: new Map([...backward.shapes, ...forward.shapes]) };
}

/** The estimate for the joined session (fusedStepGraph) with `lowering` deciding which convs run in the frequency domain. */
export function estimateFusedStepMemory(joined: SessionGraph, lowering: LoweringOptions | undefined): FusedStepMemoryEstimate {
  const { intermediates, spectra } = loweredSession(joined, lowering);
  return { constants: initializerBytes(joined.graph), spectra, intermediates };
}

/** The activation spectra of every conv the frequency domain would take in these sessions, largest first. */
export function loweredWorkspaces(...sessions: readonly SessionGraph[]): number[] {
  return sessions.flatMap((g) => [...frequencyPlans(g.graph, g.shapes).values()].map(workspaceBytes)).sort((a, b) => b - a);
}
