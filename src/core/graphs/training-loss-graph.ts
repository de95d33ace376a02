/**
 * The cross-entropy gradient of a weight-training step as ONNX nodes, so that the training forward, this gradient
 * and the backward run as one session (runtime/fused-train-runner.ts) instead of handing the logits and every saved
 * activation out to TypeScript and back. It computes what bise/train.ts computed with weightedCrossEntropy
 * (bise/cross-entropy.ts):
 *   dLogits[i, j] = w_i·(softmax(logits)[i, j] − onehot(y)[i, j]) / N
 * with onehot(y) [N, K] and w_i/N [N, 1] fed (w_i: the sample's group weight, or 1). The graph reads the logits by
 * name and outputs the backward graph's seed input, so graphs chain by tensor name (graphs/chain-graphs.ts). Opset 17.
 */
import { Graph, Tensor, ValueInfo, intAttr } from '../onnx/ir';
import { NodeEmitter } from './node-emitter';

export interface TrainingLossSpec {
  /** The forward's logits and their dims: [N, K], or any dims with N first (K: the product of the others). */
  readonly logits: string;
  readonly logitsDims: readonly number[];
  /** Output name: the backward graph's input for the upstream gradient of the logits. */
  readonly dLogits: string;
}

export interface TrainingLossGraph {
  readonly spec: TrainingLossSpec;
  /** Inputs: the logits and the two fed tensors below; output: dLogits (spec's name). */
  readonly graph: Graph;
  /** onehot(y) [N, K]. */
  readonly onehot: string;
  /** [N, 1]: w_i/N. */
  readonly weights: string;
  /** N and K. */
  readonly rows: number;
  readonly classes: number;
}

export function buildTrainingLossGraph(spec: TrainingLossSpec): TrainingLossGraph {
  const rows = spec.logitsDims[0];
  const classes = spec.logitsDims.slice(1).reduce((a, b) => a * b, 1);
  const e = new NodeEmitter('train_loss');
  const onehot = e.name('onehot');
  const weights = e.name('weights');
  emitCrossEntropyGradient(e, spec, onehot, weights);
  const inputs: ValueInfo[] = [
    { name: spec.logits, dtype: 'float32', shape: spec.logitsDims },
    { name: onehot, dtype: 'float32', shape: [rows, classes] },
    { name: weights, dtype: 'float32', shape: [rows, 1] },
  ];
  const graph: Graph = {
    name: 'bise_training_loss',
    nodes: e.nodes,
    inputs,
    outputs: [{ name: spec.dLogits, dtype: 'float32', shape: spec.logitsDims }],
    initializers: new Map<string, Tensor>(e.initializers),
    valueInfo: new Map(),
  };
  return { spec, graph, onehot, weights, rows, classes };
}

/**
 * dLogits = (softmax(logits) − onehot)·weights into `spec.dLogits`, in the logits' own dims: `onehot` [N, K] and
 * `weights` [N, 1] are tensors of the graph `e` builds (the mask step's loss graph, loss-graph.ts, feeds α·w_i/N).
 */
export function emitCrossEntropyGradient(e: NodeEmitter, spec: Pick<TrainingLossSpec, 'logits' | 'logitsDims' | 'dLogits'>, onehot: string, weights: string): void {
  const rows = spec.logitsDims[0];
  const logits2d = e.reshape(spec.logits, [rows, spec.logitsDims.slice(1).reduce((a, b) => a * b, 1)]);
  const dLogits2d = e.op('Mul', [e.op('Sub', [e.op('Softmax', [logits2d], { axis: intAttr(1) }), onehot]), weights]);
  e.reshape(dLogits2d, spec.logitsDims, spec.dLogits);
}

/**
 * The fed tensors of `loss` for one batch, by input name: onehot of the class labels `y` and w_i/N
 * (`sampleWeights` undefined: w_i = 1).
 */
export function trainingLossFeeds(loss: TrainingLossGraph, y: ArrayLike<number>, sampleWeights?: ArrayLike<number>): Record<string, Float32Array> {
  const { rows: n, classes: k } = loss;
  if (y.length !== n) throw new Error(`training loss: ${y.length} labels for a batch of ${n}`);
  if (sampleWeights && sampleWeights.length !== n) throw new Error(`training loss: ${sampleWeights.length} sample weights for a batch of ${n}`);
  checkClassLabels(y, k);
  const onehot = new Float32Array(n * k);
  for (let i = 0; i < n; i++) onehot[i * k + y[i]] = 1;
  const weights = Float32Array.from({ length: n }, (_, i) => (sampleWeights ? sampleWeights[i] : 1) / n);
  return { [loss.onehot]: onehot, [loss.weights]: weights };
}

/** Refuses a label the logits have no class for (the cross-entropy would read past its row). */
export function checkClassLabels(y: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < y.length; i++) {
    const c = y[i];
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) throw new Error(`training loss: the class label ${c} of row ${i} is not in [0, ${classes}): the model has ${classes} outputs`);
  }
}
