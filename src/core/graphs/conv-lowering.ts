/**
 * The conv rewrites the engine's cpu sessions run (never the model a user gets back): convs on small maps as one
 * dense matrix product (dense-conv/), then large stride-1 convs in the frequency domain (frequency-conv/). Each
 * conv is taken by at most one; the rest stay direct. Tensor names are kept.
 */
import { Graph } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { lowerConvsToDense } from './dense-conv';
import { LoweringOptions, lowerConvsToFrequencyDomain } from './frequency-conv';

export interface ConvLowering {
  readonly graph: Graph;
  readonly dense: readonly string[];
  readonly frequency: readonly string[];
}

/** `frequency`: which convs the frequency domain takes (e.g. a memory budget's limit on their spectra). */
export function lowerConvs(graph: Graph, shapes: ShapeMap, frequency: LoweringOptions = {}): ConvLowering {
  const dense = lowerConvsToDense(graph, shapes);
  const lowered = lowerConvsToFrequencyDomain(dense.graph, shapes, frequency);
  return { graph: lowered.graph, dense: dense.replaced, frequency: lowered.replaced };
}
