/**
 * Where BISE's bias labels come from (paper: supervised, noisy and unsupervised settings):
 * - 'given': the dataset's own labels;
 * - noise: a fraction of the training bias labels replaced by another value, to measure robustness;
 * - 'identify': no bias labels at all — the authors' recipe trains a fresh vanilla model for one epoch (it picks
 *   up the easy, spurious cue first) and takes its predicted class as the bias label.
 * Only the training split is relabelled; validation and test keep the true labels for evaluation.
 */
import { Model, Tensor } from '../onnx/ir';
import { Dataset } from '../data/dataset';
import { createRng, deriveSeed } from '../data/random';
import { DEFAULT_TRAIN_CONFIG, trainWeights } from '../bise/train';
import { trainableParameters } from '../graphs/training-graphs';
import { predictDataset } from '../bise/predict';
import { SessionConfig } from '../runtime/session';
import { EventSink } from '../bise/events';
import { BiasLabelQualityRecord, biasLabelQuality } from '../metrics/bias-label-quality';

/** Replace round(fraction·N) training bias labels (chosen by seed) with a different value, for every attribute. */
export function withNoisyBias<D extends Dataset>(train: D, fraction: number, seed: number): D {
  if (!(fraction >= 0 && fraction <= 1)) throw new Error(`bias noise must be a fraction in [0, 1], got ${fraction}`);
  const n = train.y.length;
  const biases = train.biases.map((b, k) => {
    const rng = createRng(deriveSeed(seed, 'bias-noise', k));
    const out = Int32Array.from(b);
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const classes = train.biasClasses[k];
    for (const i of order.slice(0, Math.round(fraction * n))) out[i] = (b[i] + 1 + rng.nextInt(classes - 1)) % classes;
    return out;
  });
  return { ...train, biases, meta: { ...train.meta, biasNoise: fraction } };
}

/**
 * A fresh copy of the architecture, seeded: He-uniform weights, biases 0, and every BatchNormalization reset to
 * the identity (scale 1, shift 0, running mean 0, running variance 1) — a zero scale would silence the network.
 */
export function freshWeights(model: Model, seed: number): Model {
  const rng = createRng(deriveSeed(seed, 'identification-init'));
  const initializers = new Map(model.graph.initializers);
  const constant = (t: Tensor, value: number): Tensor => ({ dtype: 'float32', dims: t.dims, data: new Float32Array(t.data.length).fill(value) });
  for (const name of trainableParameters(model.graph)) {
    const t = initializers.get(name) as Tensor;
    const fanIn = t.dims.length > 1 ? t.dims.slice(1).reduce((a, b) => a * b, 1) : 0;
    const bound = fanIn > 0 ? Math.sqrt(6 / fanIn) : 0;
    initializers.set(name, { dtype: 'float32', dims: t.dims, data: new Float32Array(t.data.length).map(() => (rng.nextFloat() * 2 - 1) * bound) });
  }
  for (const node of model.graph.nodes.filter((n) => n.opType === 'BatchNormalization')) {
    const [, scale, shift, mean, variance] = node.inputs;
    [[scale, 1], [shift, 0], [mean, 0], [variance, 1]].forEach(([name, value]) => {
      const t = initializers.get(name as string);
      if (t && t.dtype === 'float32') initializers.set(name as string, constant(t, value as number));
    });
  }
  return { ...model, graph: { ...model.graph, initializers } };
}

/**
 * Bias labels from an identification model: the source architecture with fresh weights, trained for `epochs`
 * on the target labels, then its predicted class for every training sample (one bias attribute, K values).
 */
export async function identifiedBias<D extends Dataset>(model: Model, train: D, options: { seed: number; epochs: number; lr: number; session?: SessionConfig; onEvent?: EventSink; signal?: AbortSignal }): Promise<D> {
  const identification = await trainWeights({
    model: freshWeights(model, options.seed),
    train,
    config: { ...DEFAULT_TRAIN_CONFIG, seed: options.seed, epochs: options.epochs, lr: options.lr },
    session: options.session,
    onEvent: options.onEvent,
    signal: options.signal,
  });
  const { predictions } = await predictDataset(identification.model, train, options.session);
  return { ...train, biases: [predictions], biasClasses: [train.numClasses], meta: { ...train.meta, biasFrom: 'identification model' } };
}

/**
 * The substitute training bias labels against the dataset's own, per attribute that both have and whose classes
 * are the target classes (empty when the labels were not substituted, or nothing is comparable).
 */
export function substituteLabelQuality(original: Dataset, used: Dataset, attributeNames: readonly string[]): BiasLabelQualityRecord[] {
  if (used.biases === original.biases) return [];
  return used.biases.flatMap((b, k) => {
    const truth = original.biases[k];
    const comparable = truth !== undefined && original.biasClasses[k] === original.numClasses && used.biasClasses[k] === original.numClasses;
    return comparable ? [{ attribute: attributeNames[k] ?? `bias ${k}`, ...biasLabelQuality(original.y, truth, b) }] : [];
  });
}
