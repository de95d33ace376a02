/**
 * Fed-weight convs on onnxruntime's NCHWc kernels (graphs/nchwc-fed-convs.ts): each rewritten Conv and strided
 * ConvTranspose computes what the node it replaces computed, the nodes it must leave alone
 * stay, and a narrow ResNet-18's training step (RGB stem, 3×3 stride 1 and 2, 1×1 shortcuts, batch norm) is as close
 * to float64 as without them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Attribute, Graph, Model, floatTensor, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { ShapeMap, inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { NCHWC_DOMAIN, blockedOrder, nchwcFedConvs } from '../../../src/core/graphs/nchwc-fed-convs';
import { nchwcBlockSize } from '../../../src/core/runtime/nchwc-block';
import { engineModel, forSession } from '../../../src/core/runtime/differentiable-runner';
import { RESNET18_32, buildResNet18 } from '../../../src/core/models/resnet18';
import { TrainingGraphs, buildTrainingGraphs } from '../../../src/core/graphs/training-graphs';
import { Rng } from '../../support/random';
import { trainingStepOutputs } from '../../support/training-step';
import { evaluate } from '../../../src/core/ops/reference/interpret';
import { RefTensor, refTensor } from '../../../src/core/ops/reference/tensor';

interface Case {
  readonly op: 'Conv' | 'ConvTranspose';
  /** Input dims and weight dims as the node reads them. */
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly attributes: Record<string, Attribute>;
  readonly bias?: boolean;
  /** A constant weight instead of a fed one. */
  readonly constantWeight?: boolean;
}

function caseModel(c: Case, rng: Rng): { model: Model; feeds: Record<string, ort.Tensor> } {
  const size = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);
  const values = (d: readonly number[]): Float32Array => Float32Array.from({ length: size(d) }, () => rng.normal());
  const biasDims = [c.op === 'Conv' ? c.w[0] : c.w[1]];
  const inputs = [{ name: 'x', dtype: 'float32' as const, shape: [...c.x] }];
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', values(c.x), [...c.x]) };
  const initializers = new Map();
  if (c.constantWeight) initializers.set('w', floatTensor([...c.w], Array.from(values(c.w))));
  else {
    inputs.push({ name: 'w', dtype: 'float32', shape: [...c.w] });
    feeds.w = new ort.Tensor('float32', values(c.w), [...c.w]);
  }
  if (c.bias) {
    inputs.push({ name: 'b', dtype: 'float32', shape: biasDims });
    feeds.b = new ort.Tensor('float32', values(biasDims), biasDims);
  }
  const graph: Graph = {
    name: 'case',
    nodes: [{ name: 'node', opType: c.op, domain: '', inputs: ['x', 'w', ...(c.bias ? ['b'] : [])], outputs: ['y'], attributes: c.attributes }],
    inputs,
    outputs: [{ name: 'y', dtype: 'float32', shape: null }],
    initializers,
    valueInfo: new Map(),
  };
  return { model: { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'test', producerVersion: '0', metadata: {}, graph }, feeds };
}

async function run(model: Model, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(serializeModel(model), { intraOpNumThreads: 1 });
  try {
    return (await session.run(feeds)).y.data as Float32Array;
  } finally {
    await session.release();
  }
}

function rewrite(model: Model, block: number): { model: Model; replaced: readonly string[] } {
  const g = model.graph;
  const shapes = inferShapes(g, new Map(g.inputs.map((v) => [v.name, v.shape as number[]])));
  const { graph, replaced } = nchwcFedConvs(g, shapes, block);
  return { model: engineModel(model, graph, model.opsetImports), replaced };
}

const conv = (k: number, s: number, pads: number[], extra: Record<string, Attribute> = {}): Record<string, Attribute> => ({
  kernel_shape: intsAttr([k, k]),
  strides: intsAttr([s, s]),
  pads: intsAttr(pads),
  ...extra,
});

test('onnxruntime names its NCHWc block on x64', async () => {
  const block = await nchwcBlockSize();
  if (process.arch === 'x64') assert.ok(block === 8 || block === 16, `block ${block}`);
  else assert.ok(block === 0 || block % 4 === 0);
});

test('the blocked order is a permutation of the weight, with the source each block position names', () => {
  const order = blockedOrder(32, 16, 9, 16, (o, c, t) => (o * 16 + c) * 9 + t);
  assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 32 * 16 * 9 }, (_, i) => i));
  // [O/B][C/B][taps][B in][B out]: the second element is output channel 1, input channel 0, tap 0.
  assert.equal(order[1], 1 * 16 * 9);
  assert.equal(order[16], 1 * 9);
});

test('rewritten convs and strided ConvTransposes compute what they replace', async () => {
  const b = await nchwcBlockSize();
  if (b === 0) return assert.notEqual(process.arch, 'x64');
  const rng = new Rng(3);
  const cases: Case[] = [
    { op: 'Conv', x: [3, b, 6, 5], w: [2 * b, b, 3, 3], attributes: conv(3, 1, [1, 1, 1, 1]), bias: true },
    { op: 'Conv', x: [2, 2 * b, 7, 6], w: [b, 2 * b, 3, 3], attributes: conv(3, 2, [1, 1, 1, 1]) },
    { op: 'Conv', x: [2, b, 6, 6], w: [b, b, 1, 1], attributes: conv(1, 2, [0, 0, 0, 0]) },
    { op: 'Conv', x: [2, b, 5, 5], w: [b, b, 3, 3], attributes: conv(3, 1, [0, 1, 1, 0]) },
    // An RGB stem: fewer input channels than a block, the input read as NCHW.
    { op: 'Conv', x: [2, 3, 11, 10], w: [b, 3, 7, 7], attributes: conv(7, 2, [3, 3, 3, 3]), bias: true },
    { op: 'Conv', x: [2, 1, 6, 6], w: [2 * b, 1, 3, 3], attributes: conv(3, 1, [1, 1, 1, 1]) },
    { op: 'ConvTranspose', x: [3, 2 * b, 3, 4], w: [2 * b, b, 3, 3], attributes: conv(3, 2, [1, 1, 1, 1], { output_padding: intsAttr([1, 1]) }) },
    { op: 'ConvTranspose', x: [2, b, 4, 4], w: [b, b, 3, 3], attributes: conv(3, 2, [1, 1, 1, 1], { output_padding: intsAttr([0, 1]) }), bias: true },
    { op: 'ConvTranspose', x: [2, b, 4, 4], w: [b, 2 * b, 4, 4], attributes: conv(4, 2, [1, 1, 1, 1]) },
    { op: 'ConvTranspose', x: [2, b, 5, 5], w: [b, b, 3, 3], attributes: conv(3, 1, [1, 1, 1, 1]) },
  ];
  for (const c of cases) {
    const { model, feeds } = caseModel(c, rng);
    const blocked = rewrite(model, b);
    assert.deepEqual(blocked.replaced, ['node'], `${c.op} [${c.w.join(', ')}] was not rewritten`);
    assert.ok(blocked.model.graph.nodes.some((n) => n.domain === NCHWC_DOMAIN && n.opType === 'Conv'));
    const [want, got] = [await run(model, feeds), await run(blocked.model, feeds)];
    assert.equal(got.length, want.length);
    const scale = Math.max(...want.map(Math.abs));
    const err = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
    assert.ok(err <= 1e-5 * scale, `${c.op} x [${c.x.join(', ')}] w [${c.w.join(', ')}]: max difference ${err} (scale ${scale})`);
  }
});

test('constant weights, groups, dilations, unaligned channels and 1×1 strided ConvTransposes are left alone', async () => {
  const b = await nchwcBlockSize();
  if (b === 0) return assert.notEqual(process.arch, 'x64');
  const rng = new Rng(4);
  const untouched: Case[] = [
    { op: 'Conv', x: [2, b, 4, 4], w: [b, b, 3, 3], attributes: conv(3, 1, [1, 1, 1, 1]), constantWeight: true },
    { op: 'ConvTranspose', x: [2, 2 * b, 3, 3], w: [2 * b, b, 3, 3], attributes: conv(3, 2, [1, 1, 1, 1], { output_padding: intsAttr([1, 1]) }), constantWeight: true },
    { op: 'Conv', x: [2, 2 * b, 4, 4], w: [2 * b, b, 3, 3], attributes: conv(3, 1, [1, 1, 1, 1], { group: intAttr(2) }) },
    { op: 'Conv', x: [2, b, 6, 6], w: [b, b, 3, 3], attributes: conv(3, 1, [2, 2, 2, 2], { dilations: intsAttr([2, 2]) }) },
    { op: 'Conv', x: [2, b + 4, 4, 4], w: [b, b + 4, 3, 3], attributes: conv(3, 1, [1, 1, 1, 1]) },
    { op: 'Conv', x: [2, 4, 4, 4], w: [b + 4, 4, 3, 3], attributes: conv(3, 1, [1, 1, 1, 1]) },
    { op: 'ConvTranspose', x: [2, b, 4, 4], w: [b, b, 1, 1], attributes: conv(1, 2, [0, 0, 0, 0], { output_padding: intsAttr([1, 1]) }) },
  ];
  for (const c of untouched) assert.deepEqual(rewrite(caseModel(c, rng).model, b).replaced, [], `${c.op} [${c.w.join(', ')}] was rewritten`);
});

test('narrow ResNet-18 training step: with NCHWc convs as close to float64 as without', async () => {
  const b = await nchwcBlockSize();
  if (b === 0) return assert.notEqual(process.arch, 'x64');
  const spec = { ...RESNET18_32, height: 16, width: 12, widths: [16, 16, 32, 32] as [number, number, number, number], seed: 5 };
  const model = buildResNet18(spec);
  const batch = 3;
  const rng = new Rng(7);
  const x = Float32Array.from({ length: batch * 3 * 16 * 12 }, () => rng.normal());
  const graphs = buildTrainingGraphs(model, batch, undefined, 'batch');
  // The sessions' graphs really take the NCHWc path: forward convs and backward input gradients, strided ones too.
  const blocked = (g: Graph, shapes?: ShapeMap): string[] => forSession(g, {}, b, shapes).nodes.filter((n) => n.domain === NCHWC_DOMAIN && n.opType === 'Conv').map((n) => n.name);
  assert.ok(blocked(graphs.forward, graphs.forwardShapes).length >= 4);
  assert.ok(blocked(graphs.backward.graph).some((n) => n.includes('ConvTranspose')));
  const [on, off] = [await trainingStepOutputs(model, graphs, x), await trainingStepOutputs(model, graphs, x, { nchwcConvs: false })];
  // Batch norm over 3 samples makes this step ill-conditioned: float32 lands 1e-4 … 5e-4 of a gradient's largest value
  // from float64 either way (measured: NCHWc 2.2e-4, NCHW 4.2e-4 on conv1's weight). So both are held to the same
  // step in float64 (the reference interpreter), and the NCHWc step may be no further from it than the NCHW one.
  const exact = float64Step(graphs, model, x);
  const error = (got: readonly Float32Array[]): number => Math.max(...got.map((g, k) => Math.max(...g.map((v, i) => Math.abs(v - exact[k][i]))) / Math.max(...exact[k].map(Math.abs), 1e-12)));
  const [onError, offError] = [error(on), error(off)];
  assert.ok(onError <= 2 * offError + 1e-5 && onError < 2e-3, `NCHWc step ${onError} from float64, NCHW step ${offError}`);
});

/** trainingStepOutputs' step (logits, then every gradient for upstream sin(i + 1)) in float64. */
function float64Step(graphs: TrainingGraphs, model: Model, x: Float32Array): Float64Array[] {
  const dims = (name: string): number[] => graphs.shapes.get(name) as number[];
  const feeds = new Map<string, RefTensor>([[graphs.input, refTensor(dims(graphs.input), x)]]);
  for (const p of graphs.parameters) feeds.set(p, refTensor(dims(p), model.graph.initializers.get(p)?.data as Float32Array));
  const values = evaluate(graphs.forward, feeds);
  const bwd = graphs.backward;
  const bwdFeeds = new Map<string, RefTensor>();
  for (const name of [...bwd.savedIntermediates, ...bwd.savedInputs]) bwdFeeds.set(name, (values.get(name) ?? feeds.get(name)) as RefTensor);
  const logits = (values.get(graphs.logits) as RefTensor).data;
  bwdFeeds.set(bwd.seedInputs.get(graphs.logits) as string, refTensor(dims(graphs.logits), Float64Array.from(logits, (_, i) => Math.sin(i + 1))));
  const grads = evaluate(bwd.graph, bwdFeeds);
  return [logits, ...[...bwd.gradOutputs.values()].map((g) => (grads.get(g) as RefTensor).data)];
}
