/**
 * Everything that can refuse a model, done in seconds before a job reads data or learns anything: the gated
 * forward and backward graphs at a small batch (autodiff rules of every op), shape inference over both (an op
 * the backward graph emits without a shape rule), the sparse-channel specialisation that training switches to,
 * and a pruned export of a random mask checked against the gated model in onnxruntime. A model that cannot
 * finish a run is refused here, naming the node that stops it, instead of after the whole mask-learning phase.
 */
import { Model } from '../onnx/ir';
import { inferShapes } from '../onnx/shape-inference';
import { serializeModel } from '../onnx/writer';
import { buildGateGradientGraphs } from '../graphs/gate-gradient-graphs';
import { specializeZeroChannels } from '../graphs/zero-channels';
import { createRng, deriveSeed } from '../data/random';
import { PruneResult, pruneModel } from '../prune/prune';
import { describeDivergence, firstDivergence } from '../prune/divergence';
import { verifyPruning } from '../prune/verify';
import { SessionConfig } from '../runtime/session';
import { Discovery } from '../units/discover';
import { ModelIo, namingModel, namingModelAsync } from './model-analysis';
import { OnnxModelError } from '../onnx/errors';

export interface PreflightOptions {
  readonly bottleneck?: string;
  /** Samples per batch of the check graphs (default 2: small, and still catches a batch axis mixed into features). */
  readonly batchSize?: number;
  readonly seed?: number;
  readonly session?: SessionConfig;
}

export interface PreflightResult {
  readonly seconds: number;
  /** Units the random mask kept, of all. */
  readonly keptUnits: number;
  readonly totalUnits: number;
  /** max |logit_pruned − logit_gated| / max(|logit_gated|) on the random batch. */
  readonly relativeDifference: number;
}

/**
 * Largest relative logit difference accepted between the random-mask pruned model and the gated source: float32
 * summation order only (measured ≤ 1e-6 on ResNet-50, EfficientNet-B0, MobileNetV2/V3, RegNet-X/Y, ResNeXt-50).
 */
export const PREFLIGHT_TOLERANCE = 1e-3;

/** Runs every check; throws an OnnxModelError naming the model file (and the node, where one is at fault). */
export async function preflightModel(model: Model, modelPath: string, io: ModelIo, discovery: Discovery, options: PreflightOptions = {}): Promise<PreflightResult> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 2;
  const rng = createRng(deriveSeed(options.seed ?? 0, 'preflight'));
  const masks = discovery.groups.map((g) => {
    const keep = Array.from({ length: g.channels }, () => rng.nextFloat() < 0.5);
    keep[rng.nextInt(g.channels)] = true; // never empty a group
    return keep;
  });
  const pruned: PruneResult = namingModel(modelPath, () => {
    const graphs = buildGateGradientGraphs(model, { batchSize, sharing: 'group', ...(options.bottleneck && { bottleneck: options.bottleneck }) });
    const bwd = graphs.backward.graph;
    const bwdShapes = inferShapes(bwd, new Map(bwd.inputs.map((v) => [v.name, v.shape as number[]])));
    // Training switches to graphs that skip pruned channels once units go; build them for this mask too.
    const zero = new Map(graphs.gates.map((g, i) => [g.name, new Set(masks[i].flatMap((k, c) => (k ? [] : [c])))]));
    const forward = specializeZeroChannels(graphs.forward, graphs.forwardShapes, zero);
    inferShapes(forward, new Map([[graphs.input, graphs.inputDims]]));
    const backward = specializeZeroChannels(bwd, bwdShapes, zero);
    inferShapes(backward, new Map(backward.inputs.map((v) => [v.name, v.shape as number[]])));
    const result = pruneModel(model, discovery, masks, { inputShapes: new Map([[io.input, [batchSize, ...io.sampleDims]]]) });
    serializeModel(result.model);
    return result;
  });
  const relativeDifference = await namingModelAsync(modelPath, async () => {
    const size = batchSize * io.sampleDims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: size }, () => rng.nextNormal());
    const batch = { dims: [batchSize, ...io.sampleDims], data };
    const check = await verifyPruning(model, discovery, masks, batch, { pruned: pruned.model, session: options.session });
    const scale = check.gatedLogits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const relative = scale > 0 ? check.maxAbsDiff / scale : check.maxAbsDiff;
    if (!(relative <= PREFLIGHT_TOLERANCE)) {
      // Point at the node where a removed channel first holds something pruning did not account for.
      const divergence = await firstDivergence(model, discovery, masks, batch, pruned.removedChannels, options.session);
      const where = divergence
        ? `this ${divergence.opType} is the first node where a removed channel is not what pruning assumes: ${describeDivergence(divergence)}; ` +
          'the pruned model, which no longer has that channel, computes something else from there on'
        : 'every removed channel holds what pruning assumes, so a kept channel differs: a pruning rule does not match its op';
      throw new OnnxModelError(
        modelPath,
        `a random subnetwork pruned from this model computes different logits from the gated model (max difference ${check.maxAbsDiff.toExponential(2)}, ` +
          `${relative.toExponential(2)} of the largest logit): ${where}. Please report this with the model.`,
        divergence?.node,
      );
    }
    return relative;
  });
  const kept = masks.reduce((s, m) => s + m.filter(Boolean).length, 0);
  return { seconds: (performance.now() - started) / 1000, keptUnits: kept, totalUnits: masks.reduce((s, m) => s + m.length, 0), relativeDifference };
}
