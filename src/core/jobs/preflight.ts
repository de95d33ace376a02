/**
 * Everything that can refuse a model, done in seconds before a job reads data or learns anything: the gated
 * forward and backward graphs at a small batch (autodiff rules of every op), shape inference over both (an op
 * the backward graph emits without a shape rule), the sparse-channel specialisation that training switches to,
 * and a pruned export of a random mask checked against the gated model in onnxruntime (at two batch sizes, and for
 * token models with a dynamic sequence axis at two sequence lengths). A model that cannot finish a run is refused
 * here, naming the node that stops it, instead of after the whole mask-learning phase.
 */
import { Model } from '../onnx/ir';
import { inferShapes } from '../onnx/shape-inference';
import { serializeModel } from '../onnx/writer';
import { buildGateGradientGraphs } from '../graphs/gate-gradient-graphs';
import { specializeZeroChannels } from '../graphs/zero-channels';
import { createRng, deriveSeed } from '../data/random';
import { PruneResult, pruneModel } from '../prune/prune';
import { describeDivergence, firstDivergence } from '../prune/divergence';
import { ModelBatch, verifyPruning } from '../prune/verify';
import { declaredInputs, fedInputs, hasSequenceAxis, shapeMap } from '../graphs/model-inputs';
import { randomInputValues } from '../graphs/random-inputs';
import { ANALYSIS_SEQUENCE_LENGTH } from './model-signature';
import { SessionConfig } from '../runtime/session';
import { Discovery } from '../units/discover';
import type { UnitKind } from '../units/attention-heads';
import { namingModel, namingModelAsync } from './model-analysis';
import { OnnxModelError } from '../onnx/errors';

export interface PreflightOptions {
  readonly bottleneck?: string;
  /** Which units `discovery` gates (units/discover.ts), so the check graphs gate the same ones. */
  readonly units?: UnitKind;
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
  /** max |logit_pruned − logit_gated| / max(|logit_gated|) on the random batches. */
  readonly relativeDifference: number;
  /** For token models: the sequence lengths the pruned export was verified at. */
  readonly sequenceLengths?: readonly number[];
}

/** A token model's pruned export is verified at these sequence lengths (the graphs are built at the first). */
export const PREFLIGHT_SEQUENCE_LENGTHS = [ANALYSIS_SEQUENCE_LENGTH, 5] as const;

/**
 * Largest relative logit difference accepted between the random-mask pruned model and the gated source: float32
 * summation order only (measured ≤ 1e-6 on ResNet-50, EfficientNet-B0, MobileNetV2/V3, RegNet-X/Y, ResNeXt-50).
 */
export const PREFLIGHT_TOLERANCE = 1e-3;

/**
 * Runs every check; throws an OnnxModelError naming the model file (and the node, where one is at fault). The data
 * inputs are read from the model itself.
 */
export async function preflightModel(model: Model, modelPath: string, discovery: Discovery, options: PreflightOptions = {}): Promise<PreflightResult> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 2;
  const rng = createRng(deriveSeed(options.seed ?? 0, 'preflight'));
  const masks = discovery.groups.map((g) => {
    const keep = Array.from({ length: g.channels }, () => rng.nextFloat() < 0.5);
    keep[rng.nextInt(g.channels)] = true; // never empty a group
    return keep;
  });
  const declared = namingModel(modelPath, () => declaredInputs(model));
  const sequenceLengths: (number | undefined)[] = hasSequenceAxis(declared) ? [...PREFLIGHT_SEQUENCE_LENGTHS] : [undefined];
  const pruned: PruneResult = namingModel(modelPath, () => {
    const graphs = buildGateGradientGraphs(model, {
      batchSize,
      ...(sequenceLengths[0] !== undefined && { sequenceLength: sequenceLengths[0] }),
      sharing: 'group',
      ...(options.bottleneck && { bottleneck: options.bottleneck }),
      ...(options.units && { units: options.units }),
    });
    const bwd = graphs.backward.graph;
    const bwdShapes = inferShapes(bwd, new Map(bwd.inputs.map((v) => [v.name, v.shape as number[]])));
    // Training switches to graphs that skip pruned channels once units go; build them for this mask too.
    const zero = new Map(graphs.gates.map((g, i) => [g.name, new Set(masks[i].flatMap((k, c) => (k ? [] : [c])))]));
    const forward = specializeZeroChannels(graphs.forward, graphs.forwardShapes, zero);
    inferShapes(forward, shapeMap(graphs.inputs));
    const backward = specializeZeroChannels(bwd, bwdShapes, zero);
    inferShapes(backward, new Map(backward.inputs.map((v) => [v.name, v.shape as number[]])));
    const result = pruneModel(model, discovery, masks, { inputShapes: shapeMap(graphs.inputs) });
    serializeModel(result.model);
    return result;
  });
  let relativeDifference = 0;
  for (const sequenceLength of sequenceLengths) {
    // An image model's one float input is fed as before; token models by name, with ids their embeddings accept.
    const inputs = randomInputValues(model.graph, fedInputs(declared, { batchSize, sequenceLength }), rng);
    const batch: ModelBatch = inputs.length === 1 && inputs[0].dtype === 'float32' ? { dims: inputs[0].dims, data: inputs[0].data as Float32Array } : { inputs };
    const at = sequenceLength === undefined ? '' : ` (sequence length ${sequenceLength})`;
    const relative = await namingModelAsync(modelPath, async () => {
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
          `a random subnetwork pruned from this model computes different logits from the gated model${at} (max difference ${check.maxAbsDiff.toExponential(2)}, ` +
            `${relative.toExponential(2)} of the largest logit): ${where}. Please report this with the model.`,
          divergence?.node,
        );
      }
      return relative;
    });
    relativeDifference = Math.max(relativeDifference, relative);
  }
  const kept = masks.reduce((s, m) => s + m.filter(Boolean).length, 0);
  const checkedLengths = sequenceLengths.filter((l): l is number => l !== undefined);
  return {
    seconds: (performance.now() - started) / 1000,
    keptUnits: kept,
    totalUnits: masks.reduce((s, m) => s + m.length, 0),
    relativeDifference,
    ...(checkedLengths.length > 0 && { sequenceLengths: checkedLengths }),
  };
}
