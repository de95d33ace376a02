/**
 * Training-mode batch normalisation for the weight-training graphs: each BatchNormalization node (inference form
 * in the model) becomes y = (x − μ_B)/√(σ²_B + ε)·γ + β with the batch's own per-channel mean and (biased)
 * variance. μ_B and σ²_B are extra graph outputs, so the trainer can keep the running statistics that the
 * exported model's inference-form BatchNormalization uses.
 *
 * From opset 14 it is one BatchNormalization with training_mode = 1, running statistics 0 and momentum 0, so that
 * its running-statistics outputs are exactly μ_B and σ²_B (onnxruntime's kernel: one node instead of twelve; its
 * gradient rule is ops/defs/BatchNormalization.ts's). Before opset 14 (no training_mode), the same values are
 * spelled with ops the autodiff differentiates (GlobalAveragePool, Reshape, Transpose, Sub, Mul, Div, Sqrt, Add).
 */
import { Graph, Node, Tensor, attrFloat, floatAttr, floatTensor, intAttr, intsAttr } from '../onnx/ir';
import { NodeEmitter } from './node-emitter';
import { ShapeMap } from '../onnx/shape-inference';

export interface BatchStatistics {
  readonly node: string;
  /** Graph outputs, C values each ([C] or [1, C, 1, …]): the batch mean and biased variance per channel. */
  readonly mean: string;
  readonly variance: string;
  /** The model's running-statistics initializers (inputs 3 and 4 of the node). */
  readonly runningMean: string;
  readonly runningVariance: string;
  /** ONNX momentum: running = running·momentum + batch·(1 − momentum). */
  readonly momentum: number;
  /** Values averaged per channel (batch × spatial positions), for the unbiased variance. */
  readonly count: number;
}

/** The first opset whose BatchNormalization has training_mode. */
export const TRAINING_MODE_OPSET = 14;

export function withBatchStatistics(graph: Graph, shapes: ShapeMap, opset = 0): { graph: Graph; statistics: BatchStatistics[] } {
  const nodes: Node[] = [];
  const initializers = new Map<string, Tensor>(graph.initializers);
  const statistics: BatchStatistics[] = [];
  for (const node of graph.nodes) {
    if (node.opType !== 'BatchNormalization') {
      nodes.push(node);
      continue;
    }
    const x = node.inputs[0];
    const dims = shapes.get(x);
    if (!dims || dims.length < 2) throw new Error(`node '${node.name}' (BatchNormalization): input '${x}' needs a known shape [N, C, …] for training mode`);
    const [n, c] = dims;
    const spatial = dims.slice(2);
    const channelShape = [1, c, ...spatial.map(() => 1)];
    const emit = new NodeEmitter(`${node.name}::bn`);
    const count = n * spatial.reduce((a, b) => a * b, 1);
    const momentum = attrFloat(node, 'momentum', 0.9);
    if (opset >= TRAINING_MODE_OPSET) {
      const zeros = emit.constant('zeros', floatTensor([c], new Array<number>(c).fill(0)));
      const [mean, variance] = [emit.name('batch_mean'), emit.name('batch_variance')];
      emit.nodes.push({
        name: emit.name('BatchNormalization'),
        opType: 'BatchNormalization',
        domain: '',
        inputs: [x, node.inputs[1], node.inputs[2], zeros, zeros],
        outputs: [node.outputs[0], mean, variance],
        attributes: { epsilon: floatAttr(attrFloat(node, 'epsilon', 1e-5)), momentum: floatAttr(0), training_mode: intAttr(1) },
      });
      nodes.push(...emit.nodes);
      for (const [k, v] of emit.initializers) initializers.set(k, v);
      statistics.push({ node: node.name, mean, variance, runningMean: node.inputs[3], runningVariance: node.inputs[4], momentum, count });
      continue;
    }
    const op = emit.op.bind(emit);
    const reshape = emit.reshape.bind(emit);
    // Per-channel mean over batch and space, as pools (no ReduceMean: its axes move from attribute to input across opsets).
    const channelMean = (t: string, output: string): string => {
      const pooled = spatial.length > 0 ? reshape(op('GlobalAveragePool', [t]), [n, c]) : t;
      const perChannel = reshape(op('Transpose', [pooled], { perm: intsAttr([1, 0]) }), [1, c, n, 1]);
      return reshape(op('GlobalAveragePool', [perChannel]), channelShape, output);
    };
    const mean = channelMean(x, emit.name('batch_mean'));
    const centred = op('Sub', [x, mean]);
    const variance = channelMean(op('Mul', [centred, centred]), emit.name('batch_variance'));
    const std = op('Sqrt', [op('Add', [variance, emit.constant('epsilon', floatTensor([], [attrFloat(node, 'epsilon', 1e-5)]))])]);
    // γ/σ per channel first, so one full-size Mul instead of a Div and a Mul (and their gradients).
    const factor = op('Div', [reshape(node.inputs[1], channelShape), std]);
    op('Add', [op('Mul', [centred, factor]), reshape(node.inputs[2], channelShape)], {}, node.outputs[0]);
    nodes.push(...emit.nodes);
    for (const [k, v] of emit.initializers) initializers.set(k, v);
    statistics.push({
      node: node.name,
      mean,
      variance,
      runningMean: node.inputs[3],
      runningVariance: node.inputs[4],
      momentum,
      count,
    });
  }
  const outputs = [...graph.outputs, ...statistics.flatMap((s) => [s.mean, s.variance]).map((name) => ({ name, dtype: 'float32' as const, shape: null }))];
  return { graph: { ...graph, nodes, initializers, outputs }, statistics };
}

/** Running statistics after one batch (PyTorch's convention: the running variance takes the unbiased one). */
export function updateRunningStatistics(running: { mean: Float32Array; variance: Float32Array }, batch: { mean: Float32Array; variance: Float32Array }, momentum: number, count: number): void {
  const unbias = count > 1 ? count / (count - 1) : 1;
  for (let i = 0; i < running.mean.length; i++) {
    running.mean[i] = running.mean[i] * momentum + batch.mean[i] * (1 - momentum);
    running.variance[i] = running.variance[i] * momentum + batch.variance[i] * unbias * (1 - momentum);
  }
}
