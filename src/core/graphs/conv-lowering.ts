/**
 * The conv rewrites the engine's cpu sessions run (never the model a user gets back): convs on small maps as one
 * dense matrix product (dense-conv/), then large stride-1 convs in the frequency domain (frequency-conv/). Each
 * conv is taken by at most one; the rest stay direct. Tensor names are kept.
 */
import { Graph } from '../onnx/ir';
import { ShapeMap } from '../onnx/shape-inference';
import { lowerConvsToDense } from './dense-conv';
import { lowerConvsToFrequencyDomain } from './frequency-conv';

export interface ConvLowering {
  readonly graph: Graph;
  readonly dense: readonly string[];
  readonly frequency: readonly string[];
}

export function lowerConvs(graph: Graph, shapes: ShapeMap): ConvLowering {
  const dense = lowerConvsToDense(graph, shapes);
  const frequency = lowerConvsToFrequencyDomain(dense.graph, shapes);
  return { graph: frequency.graph, dense: dense.replaced, frequency: frequency.replaced };
}
