/**
 * What the engine gated in one model, written by the step child (`--gates-out`) for the PyTorch twin of the
 * `families` section (bench/torch-family-step.py): every gate vector with its units and the ONNX tensors it
 * multiplies, each with the node that produces it and the nodes that read it (their names carry torch.onnx's
 * module scopes, which is how the twin finds the same tensors in the torchvision model), the classifier node and
 * bottleneck z, and the gate gradients of our last step, which the twin compares with its own to show that both
 * sides gate the same tensors of the same model and compute the same loss. The image models' step child writes the
 * BISE loss of its fused step (`loss`); the token step child writes none: its twin backpropagates a surrogate.
 */
import { Model } from '../../src/core/onnx/ir';
import { GateGradientGraphs } from '../../src/core/graphs/gate-gradient-graphs';
import type { StepLoss } from './mask-step-timing';
import type { MiCheck } from './mi-check';

export interface SiteLayout {
  readonly tensor: string;
  readonly channels: number;
  readonly rank: number;
  /** The axis that carries the channels (1 for NCHW, the last for ViT/ConvNeXt MLPs and NHWC). */
  readonly axis: number;
  /** Consecutive channels per unit (the gate's entries repeated this many times along `axis`). */
  readonly repeat: number;
  /** The ONNX node that writes the tensor; null when it is a graph input. */
  readonly producer: string | null;
  /** The ONNX nodes that read it, with the input slot. */
  readonly consumers: readonly { readonly node: string; readonly input: number }[];
}

export interface GateLayout {
  readonly input: string;
  readonly inputDims: readonly number[];
  /** The classifier Gemm/MatMul node; z is its input. */
  readonly classifier: string;
  readonly bottleneck: string;
  /** z's dims (batch first); the heads read it flattened to [N, D]. */
  readonly bottleneckDims: readonly number[];
  readonly gates: readonly { readonly units: number; readonly sites: readonly SiteLayout[] }[];
  /** Units the engine saw and left ungated, with why. */
  readonly skipped: readonly { readonly node: string; readonly reason: string }[];
  /**
   * dL/dgate of our last timed step at all gates open, one array per gate vector: L is `loss` when there is one,
   * else 0.01·Σlogits + 0.01·Σz.
   */
  readonly gateGrads: readonly (readonly number[])[];
  /** The BISE loss of the step (image models' fused step). */
  readonly loss?: StepLoss;
  /** With `loss`: the MI-alone check step (./mi-check.ts), its arrays as numbers. */
  readonly miCheck?: {
    readonly heads: readonly { readonly weight: readonly number[]; readonly bias: readonly number[] }[];
    readonly gateGrads: readonly (readonly number[])[];
    readonly z: readonly number[];
  };
}

export function gateLayout(
  model: Model,
  graphs: GateGradientGraphs,
  gateGrads: readonly Float32Array[],
  fused?: { readonly loss: StepLoss; readonly miCheck: MiCheck },
): GateLayout {
  const producer = new Map<string, string>();
  const consumers = new Map<string, { node: string; input: number }[]>();
  for (const n of model.graph.nodes) {
    for (const o of n.outputs) producer.set(o, n.name);
    n.inputs.forEach((t, input) => {
      if (!t) return;
      const list = consumers.get(t) ?? [];
      list.push({ node: n.name, input });
      consumers.set(t, list);
    });
  }
  return {
    input: graphs.input,
    inputDims: graphs.inputDims,
    classifier: graphs.discovery.classifier,
    bottleneck: graphs.discovery.bottleneck,
    bottleneckDims: graphs.bottleneckDims,
    gates: graphs.gates.map((g) => ({
      units: g.channels,
      sites: g.sites.map((s) => ({
        tensor: s.tensor,
        channels: s.channels,
        rank: s.rank,
        axis: s.axis,
        repeat: s.repeat,
        producer: producer.get(s.tensor) ?? null,
        consumers: consumers.get(s.tensor) ?? [],
      })),
    })),
    skipped: graphs.discovery.skipped,
    gateGrads: gateGrads.map((v) => Array.from(v)),
    ...(fused ? { loss: fused.loss, miCheck: miCheckValues(fused.miCheck) } : {}),
  };
}

function miCheckValues(c: MiCheck): NonNullable<GateLayout['miCheck']> {
  return {
    heads: c.heads.map((h) => ({ weight: Array.from(h.weight), bias: Array.from(h.bias) })),
    gateGrads: c.gateGrads.map((v) => Array.from(v)),
    z: Array.from(c.z),
  };
}
