/**
 * The shape folding (src/core/onnx/shape-folding): on hand-built graphs of the patterns exporters emit
 * (Shape → Gather → Unsqueeze → Concat → Reshape, flatten(1, 2), Range/Expand masks), every value computed from
 * shapes and constants alone becomes an initializer at the concrete batch size, the folded graph computes what
 * onnxruntime computes on the dynamic one, integer arithmetic behaves as in onnxruntime, weights are never folded,
 * and absurd computed sizes are refused before anything is allocated.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { DType, Graph, intAttr, makeTensor } from '../../../src/core/onnx/ir';
import { inferShapes, inferShapesAndValues, int64Values } from '../../../src/core/onnx/shape-inference';
import { foldShapes } from '../../../src/core/onnx/shape-folding/fold-shapes';
import { COMPUTED_SIZE_FLOOR, FOLD_TENSOR_LIMIT, FOLD_TOTAL_LIMIT, computedSizeLimit } from '../../../src/core/onnx/shape-folding/limits';
import { GraphBuilder } from '../../support/graph-builder';
import { fromOrt, runOnnx } from '../../support/ort';
import { Rng } from '../../support/random';

/** The graph with a symbolic batch (axis 0 of every input) and the given outputs, as an exporter writes it. */
function exported(b: GraphBuilder, outputs: readonly (readonly [string, DType])[]): Graph {
  const g = b.unevaluated(outputs.map(([name]) => name));
  return {
    ...g,
    inputs: g.inputs.map((v) => ({ ...v, shape: ['batch', ...(v.shape ?? []).slice(1)] })),
    outputs: outputs.map(([name, dtype]) => ({ name, dtype, shape: null })),
  };
}

function randomInput(rng: Rng, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal()), [...dims]);
}

/** Runs the dynamic graph and the graph folded at this batch in onnxruntime; their outputs must be equal. */
async function foldedMatchesDynamic(graph: Graph, dims: readonly number[], rng: Rng): Promise<Graph> {
  const folded = foldShapes(graph, new Map([[graph.inputs[0].name, dims]])).graph;
  const feeds = { [graph.inputs[0].name]: randomInput(rng, dims) };
  const [a, b] = [await runOnnx(graph, feeds), await runOnnx(folded, feeds)];
  for (const o of graph.outputs) {
    assert.deepEqual(fromOrt(b[o.name]).dims, fromOrt(a[o.name]).dims, `shape of '${o.name}'`);
    assert.deepEqual([...fromOrt(b[o.name]).data], [...fromOrt(a[o.name]).data], `values of '${o.name}'`);
  }
  return folded;
}

const opsOf = (g: Graph): string[] => g.nodes.map((n) => n.opType);

test("view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat folds into the Reshape's constant target", async () => {
  const b = new GraphBuilder(new Rng(1));
  const x = b.input('x', [2, 3, 4, 4]);
  const batch = b.op('Unsqueeze', [b.op('Gather', [b.op('Shape', [x]), b.ints('zero', [0], [])]), b.ints('axes', [0])]);
  const target = b.op('Concat', [batch, b.ints('minus_one', [-1])], { axis: intAttr(0) });
  const y = b.op('Relu', [b.op('Reshape', [x, target])]);
  const graph = exported(b, [[y, 'float32']]);
  // Shape inference alone sees through the unfolded graph.
  assert.deepEqual(inferShapes(graph, new Map([['x', [5, 3, 4, 4]]])).get(y), [5, 48]);
  for (const n of [1, 2, 5]) {
    const folded = await foldedMatchesDynamic(graph, [n, 3, 4, 4], new Rng(n));
    assert.deepEqual(opsOf(folded), ['Reshape', 'Relu']);
    assert.deepEqual(int64Values(folded.initializers.get(target) as never), [n, -1]);
    assert.deepEqual([...folded.initializers.keys()], [target], 'the integer constants only the folded nodes read are gone');
  }
});

test('flatten(1, 2): Shape → Slice, Concat with -1 folds; Constant nodes feeding it are dropped', async () => {
  const b = new GraphBuilder(new Rng(2));
  const x = b.input('x', [2, 3, 4, 5]);
  const constant = (values: number[]): string => b.op('Constant', [], { value: { type: 'tensor', value: makeTensor('int64', [values.length], BigInt64Array.from(values.map(BigInt))) } });
  const shape = b.op('Shape', [x]);
  const head = b.op('Slice', [shape, constant([0]), constant([1]), constant([0])]);
  const tail = b.op('Slice', [shape, constant([3]), constant([4]), constant([0])]);
  const target = b.op('Concat', [head, constant([-1]), tail], { axis: intAttr(0) });
  const y = b.op('Reshape', [x, target]);
  const graph = exported(b, [[y, 'float32']]);
  const folded = await foldedMatchesDynamic(graph, [3, 3, 4, 5], new Rng(3));
  assert.deepEqual(opsOf(folded), ['Reshape']);
  assert.deepEqual(int64Values(folded.initializers.get(target) as never), [3, -1, 5]);
  assert.deepEqual(inferShapes(folded, new Map([['x', [3, 3, 4, 5]]])).get(y), [3, 12, 5]);
});

test('a Range/Less/Where/Expand mask built from the input shape folds to one float initializer', async () => {
  const b = new GraphBuilder(new Rng(4));
  const x = b.input('x', [2, 1, 5, 5]);
  const shape = b.op('Shape', [x]);
  const size = b.op('Gather', [shape, b.ints('two', [2], [])]);
  const r = b.op('Range', [b.ints('start', [0], []), size, b.ints('step', [1], [])]);
  const later = b.op('Less', [b.op('Unsqueeze', [r, b.ints('ax0', [0])]), b.op('Unsqueeze', [r, b.ints('ax1', [1])])]);
  const mask = b.op('Where', [later, b.weight('minus', [], () => [-1e4]), b.weight('zero', [], () => [0])]);
  const full = b.op('Concat', [b.op('Slice', [shape, b.ints('s0', [0]), b.ints('s1', [1])]), b.ints('one', [1]), b.op('Unsqueeze', [size, b.ints('ax', [0])]), b.op('Unsqueeze', [size, b.ints('ax_', [0])])], { axis: intAttr(0) });
  const y = b.op('Add', [x, b.op('Expand', [mask, full])]);
  const graph = exported(b, [[y, 'float32']]);
  const folded = await foldedMatchesDynamic(graph, [3, 1, 5, 5], new Rng(5));
  assert.deepEqual(opsOf(folded), ['Add']);
  const maskValue = folded.initializers.get(folded.nodes[0].inputs[1]);
  assert.equal(maskValue?.dtype, 'float32');
  assert.deepEqual(maskValue?.dims, [3, 1, 5, 5]);
});

test('integer arithmetic folds as onnxruntime computes it: Div truncates toward zero, Cast to int64 drops the fraction', async () => {
  const b = new GraphBuilder(new Rng(6));
  const x = b.input('x', [2, 3]);
  const width = b.op('Gather', [b.op('Shape', [x]), b.ints('one', [1], [])]); // 3
  const negative = b.op('Sub', [width, b.ints('ten', [10], [])]); // -7
  const quotient = b.op('Div', [negative, b.ints('two', [2], [])]); // -3 (not -4)
  const cast = b.op('Cast', [b.op('Mul', [b.op('Cast', [width], { to: intAttr(1) }), b.weight('scale', [], () => [-0.9])])], { to: intAttr(7) }); // trunc(-2.7) = -2
  const same = b.op('Equal', [quotient, b.ints('minus_three', [-3], [])]);
  const picked = b.op('Where', [same, cast, quotient]);
  const graph = exported(b, [[quotient, 'int64'], [cast, 'int64'], [picked, 'int64']]);
  const { constants } = inferShapesAndValues(graph, new Map([['x', [4, 3]]]));
  assert.deepEqual(int64Values(constants.get(quotient) as never), [-3]);
  assert.deepEqual(int64Values(constants.get(cast) as never), [-2]);
  assert.deepEqual(int64Values(constants.get(picked) as never), [-2]);
  const theirs = await runOnnx(graph, { x: randomInput(new Rng(7), [4, 3]) });
  assert.deepEqual([quotient, cast, picked].map((name) => Number(fromOrt(theirs[name]).data[0])), [-3, -2, -2]);
});

test('weights are never folded: a Reshape of a weight or a Gather from an embedding table stays in the graph', () => {
  const b = new GraphBuilder(new Rng(8));
  const x = b.input('x', [2, 36]);
  const w = b.op('Reshape', [b.weight('w', [4, 9]), b.ints('flat', [36, 1])]);
  const rows = b.op('Gather', [b.weight('table', [10, 36]), b.ints('ids', [3, 3, 7])]);
  const y = b.op('Add', [b.op('MatMul', [x, w]), b.op('ReduceSum', [rows, b.ints('axes', [0, 1])], { keepdims: intAttr(0) })]);
  const graph = exported(b, [[y, 'float32']]);
  const { graph: folded, foldedNodes } = foldShapes(graph, new Map([['x', [2, 36]]]));
  assert.equal(foldedNodes, 0);
  assert.equal(folded, graph);
});

test('a node producing a graph output stays a node, its value known', () => {
  const b = new GraphBuilder(new Rng(9));
  const x = b.input('x', [2, 3]);
  const s = b.op('Shape', [x]);
  const graph = exported(b, [[s, 'int64']]);
  const { graph: folded, foldedNodes } = foldShapes(graph, new Map([['x', [2, 3]]]));
  assert.equal(foldedNodes, 0);
  assert.deepEqual(opsOf(folded), ['Shape']);
});

test('absurd computed sizes are refused before allocation, naming the node, the op and the size', () => {
  const cases: [string, (b: GraphBuilder) => string, RegExp][] = [
    ['Range to 2^40', (b) => b.op('Range', [b.ints('a', [0], []), b.ints('l', [2 ** 40], []), b.ints('d', [1], [])]), /'Range_\d+' \(Range\): output 0 would have shape \[1099511627776\]/],
    ['ConstantOfShape [2^20, 2^20]', (b) => b.op('ConstantOfShape', [b.ints('s', [2 ** 20, 2 ** 20])]), /\(ConstantOfShape\): output 0 would have shape \[1048576, 1048576\], 1099511627776 elements, more than the 268435456/],
    ['Expand to [2^30, 4]', (b) => b.op('Expand', [b.input('x', [1, 4]), b.ints('s', [2 ** 30, 1])]), /\(Expand\): output 0 would have shape \[1073741824, 4\]/],
    ['Tile by [2^16, 2^16]', (b) => b.op('Tile', [b.input('x', [4, 4]), b.ints('r', [2 ** 16, 2 ** 16])]), /\(Tile\): output 0 would have shape \[262144, 262144\]/],
    ['Reshape to [2^40, 0, 2^40]', (b) => b.op('Reshape', [b.input('x', [0, 3]), b.ints('t', [2 ** 40, 0, 2 ** 40])], { allowzero: intAttr(1) }), /\(Reshape\): output 0 would have shape \[1099511627776, 0, 1099511627776\], an axis of size 1099511627776, more than/],
  ];
  for (const [label, make, why] of cases) {
    const b = new GraphBuilder(new Rng(10));
    const g = b.unevaluated([make(b)]);
    const before = process.memoryUsage().rss;
    assert.throws(() => inferShapes(g, new Map(g.inputs.map((v) => [v.name, v.shape as number[]]))), why, label);
    assert.ok(process.memoryUsage().rss - before < 2 ** 28, `${label}: nothing large was allocated`);
  }
});

test('the size limit scales with the model: 16 × its largest input or weight, at least 2^28', () => {
  const b = new GraphBuilder(new Rng(11));
  // Declared small so the builder draws no 2^25 random values (17 s); the sizes under test come from the maps below.
  const x = b.input('x', [1, 16]);
  const big = b.op('ConstantOfShape', [b.ints('s', [2 ** 28 + 1])]);
  const g = b.unevaluated([big]);
  assert.equal(computedSizeLimit(g, new Map([['x', [1, 16]]])), COMPUTED_SIZE_FLOOR);
  assert.equal(computedSizeLimit(g, new Map([['x', [1, 2 ** 25]]])), 2 ** 29);
  assert.throws(() => inferShapes(g, new Map([['x', [1, 16]]])), /more than the 268435456/);
  // Within this model's limit: its shape is inferred, its value is too large to fold and stays for onnxruntime.
  const { shapes, constants, folded } = inferShapesAndValues(g, new Map([[x, [1, 2 ** 25]]]));
  assert.deepEqual(shapes.get(big), [2 ** 28 + 1]);
  assert.equal(constants.has(big), false);
  assert.equal(folded.length, 0);
  assert.ok(2 ** 28 > FOLD_TENSOR_LIMIT);
});

test('the folding evaluates little: each tensor up to FOLD_TENSOR_LIMIT elements, FOLD_TOTAL_LIMIT in all', () => {
  const b = new GraphBuilder(new Rng(12));
  const fill = (dims: number[], i: number): string =>
    b.op('ConstantOfShape', [b.ints(`s${i}`, dims)], { value: { type: 'tensor', value: makeTensor('float32', [1], Float32Array.of(i)) } });
  const tooLarge = fill([FOLD_TENSOR_LIMIT + 1], 0);
  const count = FOLD_TOTAL_LIMIT / FOLD_TENSOR_LIMIT;
  const filled = Array.from({ length: count + 2 }, (_, i) => fill([FOLD_TENSOR_LIMIT], i + 1));
  const g = b.unevaluated([tooLarge, ...filled]);
  const { constants, shapes } = inferShapesAndValues(g, new Map());
  assert.equal(constants.has(tooLarge), false);
  assert.deepEqual(shapes.get(tooLarge), [FOLD_TENSOR_LIMIT + 1]);
  assert.deepEqual(filled.map((t) => constants.has(t)), filled.map((_, i) => i < count));
});
