/**
 * ScatterND (Swin's shifted-window attention mask, folded at load) and the engine-only GatherND its gradient
 * emits: reference kernels against onnxruntime (every reduction, negative indices), gradients of data and updates
 * against finite differences and onnxruntime, folding on constants, and the refusals (a reduction without a
 * gradient, pruned channels entering).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Attribute, intAttr, intsAttr, stringAttr } from '../../../src/core/onnx/ir';
import { inferShapes, inferShapesAndValues } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { GradientError } from '../../../src/core/autodiff/rule';
import { discoverUnits } from '../../../src/core/units/discover';
import { PruneError, concreteInputShapes, pruneModel } from '../../../src/core/prune';
import { GraphBuilder } from '../../support/graph-builder';
import { Rng } from '../../support/random';
import { GraphBuilder as PruneGraphBuilder } from '../prune/ir-builder';
import { gradCheckOps, refTest } from './elementwise-support';

/** data [dims], and `count` distinct index tuples of length k (some written negative), as an int64 [count, k]. */
function randomScatter(rng: Rng): { data: number[]; indices: number[]; indexDims: number[]; updates: number[]; describe: string } {
  const data = Array.from({ length: rng.int(1, 3) }, () => rng.int(2, 3));
  const k = rng.int(1, data.length);
  const all: number[][] = [[]];
  for (let a = 0; a < k; a++) all.splice(0, all.length, ...all.flatMap((t) => Array.from({ length: data[a] }, (_, i) => [...t, i])));
  const count = rng.int(1, Math.min(3, all.length));
  const tuples = rng.shuffle(all).slice(0, count).map((t) => t.map((i, a) => (rng.bool(0.3) ? i - data[a] : i)));
  const updates = [count, ...data.slice(k)];
  return { data, indices: tuples.flat(), indexDims: [count, k], updates, describe: `data [${data}] indices [${count}, ${k}]` };
}

for (const [reduction, opset] of [['none', 17], ['add', 17], ['mul', 17], ['max', 18], ['min', 18]] as const) {
  refTest(`ScatterND reduction=${reduction}`, (rng, b) => {
    const c = randomScatter(rng);
    const attrs: Record<string, Attribute> = reduction === 'none' ? {} : { reduction: stringAttr(reduction) };
    const y = b.op('ScatterND', [b.input('data', c.data), b.ints('indices', c.indices, c.indexDims), b.input('updates', c.updates)], attrs);
    return { outputs: [y], describe: c.describe };
  }, { opset });
}

refTest('GatherND (engine only)', (rng, b) => {
  const c = randomScatter(rng);
  return { outputs: [b.op('GatherND', [b.input('data', c.data), b.ints('indices', c.indices, c.indexDims)])], describe: c.describe };
});

for (const reduction of ['none', 'add']) {
  test(`ScatterND reduction=${reduction}: gradients of data and updates (ScatterND of zeros, GatherND)`, async () => {
    await gradCheckOps(`ScatterND ${reduction}`, 5, (rng) => {
      const b = new GraphBuilder(rng);
      const c = randomScatter(rng);
      const data = b.tensor('data', c.data, rng.bool(0.3));
      const updates = b.tensor('updates', c.updates, rng.bool(0.3));
      const attrs: Record<string, Attribute> = reduction === 'none' ? {} : { reduction: stringAttr(reduction) };
      const y = b.op('ScatterND', [data, b.ints('indices', c.indices, c.indexDims), updates], attrs);
      return { built: b.build([y]), seeds: [y], targets: [data, updates], describe: c.describe };
    });
  });
}

test('ScatterND reduction=mul has no gradient here: refused naming the node and the reduction', () => {
  const b = new GraphBuilder(new Rng(4));
  const x = b.input('x', [3]);
  const y = b.op('ScatterND', [x, b.ints('indices', [1], [1, 1]), b.input('u', [1])], { reduction: stringAttr('mul') });
  const built = b.build([y]);
  const shapes = inferShapes(built.graph, new Map([['x', [3]], ['u', [1]]]));
  assert.throws(
    () => buildBackward({ forward: built.graph, shapes, seeds: [y], targets: [x] }),
    (e: unknown) => e instanceof GradientError && /node 'ScatterND_0' \(ScatterND\).*reduction 'mul'/.test(e.message),
  );
});

test('ScatterND on constants folds at load (the Swin attention mask: ConstantOfShape, then slices set)', () => {
  const b = new GraphBuilder(new Rng(1));
  const zeros = b.op('ConstantOfShape', [b.ints('shape', [2, 3])]);
  const y = b.op('ScatterND', [zeros, b.ints('indices', [1, -1], [1, 2]), b.weight('value', [1], () => [5])]);
  const { constants } = inferShapesAndValues(b.unevaluated([y]));
  assert.deepEqual([...(constants.get(y)!.data as Float32Array)], [0, 0, 0, 0, 0, 5]);
});

test('ScatterND shape rule refuses updates of the wrong shape and indices deeper than the data', () => {
  const b = new GraphBuilder(new Rng(1));
  const bad = b.op('ScatterND', [b.input('data', [2, 3]), b.ints('indices', [0], [1, 1]), b.input('u', [1, 2])]);
  assert.throws(() => inferShapes(b.unevaluated([bad])), /node 'ScatterND_0' \(ScatterND\): updates have shape \[1, 2\]; .* need \[1, 3\]/);
  const c = new GraphBuilder(new Rng(1));
  const deep = c.op('ScatterND', [c.input('data', [2]), c.ints('indices', [0, 0], [1, 2]), c.input('u', [1])]);
  assert.throws(() => inferShapes(c.unevaluated([deep])), /node 'ScatterND_0' \(ScatterND\): indices \[1, 2\] do not index a \[2\] tensor/);
});

test('ScatterND refuses pruned channels entering, naming the node', () => {
  const b = new PruneGraphBuilder(5);
  const x = b.input('x', ['batch', 2, 4, 4]);
  const conv = { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) };
  const h = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 2, 3, 3]), b.weight('bias', [4])], conv, 'conv')]);
  const s = b.node('ScatterND', [h, b.int64('indices', [0, 1]), b.weight('u', [4, 4])], {}, 'scatter');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [s])], { axis: intAttr(1) });
  const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 4]), b.weight('fcb', [2])], { transB: intAttr(1) }, 'fc'));
  // indices [0, 1] as a [2] tensor: one tuple (sample 0, channel 1), updates one [4, 4] plane.
  const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)), { checkPruning: false });
  assert.throws(
    () => pruneModel(model, d, d.groups.map((g) => Uint8Array.from({ length: g.channels }, (_, i) => (i % 2 === 0 ? 1 : 0)))),
    (e: unknown) => e instanceof PruneError && /node 'scatter' \(ScatterND\).*cannot be followed/.test(e.message),
  );
});
