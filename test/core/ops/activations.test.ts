/**
 * The activations added to the op registry for torchvision models (MobileNetV3's HardSigmoid/HardSwish,
 * ConvNeXt's and ViT's erf GELU, opset-20 Gelu, Elu, Selu, Softplus, PRelu): each gradient rule against float64
 * finite differences and onnxruntime (forward at the model's opset, backward at the engine's 17), each reference
 * kernel against onnxruntime, and PRelu's per-channel slope through pruning.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Attribute, floatAttr, intAttr, intsAttr, stringAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { discoverUnits } from '../../../src/core/units/discover';
import { concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { takeAlongAxis } from '../../../src/core/prune/tensor-ops';
import { GraphBuilder } from '../../support/graph-builder';
import { Rng, ValueGen, awayFrom, normal, uniform } from '../../support/random';
import { randomShape } from '../../support/random-ops';
import { GraphBuilder as ModelBuilder } from '../prune/ir-builder';
import { gradCheckOps, refTest } from './elementwise-support';

const DRAWS = 5;

/** A unary activation: gradient of its input over random shapes, values from `values`. */
function unaryGradTest(label: string, op: string, values: ValueGen, attrs: (rng: Rng) => Record<string, Attribute>, opset = 17): void {
  test(`${label}: gradient matches finite differences and onnxruntime`, async () => {
    await gradCheckOps(
      label,
      DRAWS,
      (rng) => {
        const b = new GraphBuilder(rng);
        const a = attrs(rng);
        const x = b.input('x', randomShape(rng, rng.int(1, 4)), values);
        const y = b.op(op, [x], a);
        return { built: b.build([y]), seeds: [y], targets: [x], describe: JSON.stringify(a) };
      },
      { forwardOpset: opset },
    );
  });
  refTest(label, (rng, b) => {
    const a = attrs(rng);
    return { outputs: [b.op(op, [b.input('x', randomShape(rng, rng.int(1, 4)), values)], a)], describe: JSON.stringify(a) };
  }, { opset });
}

const f32 = (v: number): number => Math.fround(v);
const none = (): Record<string, Attribute> => ({});

/** HardSigmoid's alpha and beta: defaults or random (either sign of alpha); x avoids the two kinks. */
function hardSigmoidCase(rng: Rng): { attrs: Record<string, Attribute>; values: ValueGen } {
  const alpha = rng.bool(0.3) ? 0.2 : f32(rng.pick([-1, 1]) * rng.uniform(0.1, 0.6));
  const beta = rng.bool(0.3) ? 0.5 : f32(rng.uniform(-0.5, 1));
  const attrs: Record<string, Attribute> = alpha === 0.2 && beta === 0.5 ? {} : { alpha: floatAttr(alpha), beta: floatAttr(beta) };
  return { attrs, values: awayFrom([-beta / alpha, (1 - beta) / alpha], 0.05, 3) };
}

test('HardSigmoid: alpha·dY inside (0, 1), 0 where clamped', async () => {
  await gradCheckOps('HardSigmoid', DRAWS, (rng) => {
    const b = new GraphBuilder(rng);
    const { attrs, values } = hardSigmoidCase(rng);
    const x = b.input('x', randomShape(rng, rng.int(1, 4)), values);
    const y = b.op('HardSigmoid', [x], attrs);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: JSON.stringify(attrs) };
  });
});

refTest('HardSigmoid', (rng, b) => {
  const { attrs, values } = hardSigmoidCase(rng);
  return { outputs: [b.op('HardSigmoid', [b.input('x', randomShape(rng, 3), values)], attrs)], describe: JSON.stringify(attrs) };
});

unaryGradTest('HardSwish', 'HardSwish', awayFrom([-3, 3], 0.05, 3), none);
unaryGradTest('Erf', 'Erf', normal(1.5), none);
unaryGradTest('Gelu exact (opset 20)', 'Gelu', normal(2), (rng): Record<string, Attribute> => (rng.bool() ? {} : { approximate: stringAttr('none') }), 20);
unaryGradTest('Gelu tanh (opset 20)', 'Gelu', normal(2), () => ({ approximate: stringAttr('tanh') }), 20);
unaryGradTest('Elu', 'Elu', awayFrom([0], 0.05, 2), (rng): Record<string, Attribute> => (rng.bool(0.3) ? {} : { alpha: floatAttr(f32(rng.uniform(0.2, 2))) }));
unaryGradTest('Selu', 'Selu', awayFrom([0], 0.05, 2), (rng): Record<string, Attribute> =>
  rng.bool(0.3) ? {} : { alpha: floatAttr(f32(rng.uniform(1, 2))), gamma: floatAttr(f32(rng.uniform(0.5, 1.5))) },
);
unaryGradTest('Softplus', 'Softplus', normal(3), none);

test('HardSwish at the kinks: 0 below −3, 1 above 3, x/3 + 1/2 between (PyTorch hardswish_backward)', async () => {
  const [result] = await gradCheckOps('HardSwish regions', 1, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', [6], () => [-4, -2.5, -1, 0.5, 2.5, 4]);
    const y = b.op('HardSwish', [x]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
  assert.ok(result.backward.graph.nodes.some((n) => n.opType === 'HardSigmoid'), 'the slope is rebuilt from HardSigmoid');
});

test('Gelu: an unknown approximate is refused by node, attribute and value', () => {
  const b = new GraphBuilder(new Rng(1));
  const y = b.op('Gelu', [b.input('x', [2, 3])], { approximate: stringAttr('erf') });
  const graph = b.unevaluated([y]);
  assert.throws(() => inferShapes(graph), /node 'Gelu_0' \(Gelu\): attribute 'approximate' should be 'none' or 'tanh', found 'erf'/);
});

/** X and a slope that broadcasts to it one way: per channel [C, 1, 1] (conv), [C] (linear), shared [1], full. */
function preluShapes(rng: Rng): { x: number[]; slope: number[] } {
  const c = rng.int(1, 4);
  switch (rng.int(0, 3)) {
    case 0:
      return { x: [rng.int(1, 2), c, rng.int(1, 3), rng.int(1, 3)], slope: [c, 1, 1] };
    case 1:
      return { x: [rng.int(1, 3), c], slope: [c] };
    case 2:
      return { x: [rng.int(1, 2), c, rng.int(1, 3)], slope: [1] };
    default: {
      const x = randomShape(rng, 3);
      return { x, slope: [...x.slice(1)] };
    }
  }
}

test('PRelu: gradients of X and of the slope, summed over the axes the slope broadcasts along', async () => {
  await gradCheckOps('PRelu', 8, (rng) => {
    const b = new GraphBuilder(rng);
    const { x: xs, slope: ss } = preluShapes(rng);
    const x = b.input('x', xs, awayFrom([0]));
    const slope = b.tensor('slope', ss, rng.bool(0.4), uniform(-0.5, 0.8));
    const y = b.op('PRelu', [x, slope]);
    return { built: b.build([y]), seeds: [y], targets: [x, slope], describe: `x=[${xs}] slope=[${ss}]` };
  });
});

refTest('PRelu', (rng, b) => {
  const { x, slope } = preluShapes(rng);
  return { outputs: [b.op('PRelu', [b.input('x', x), b.weight('slope', slope, uniform(-0.5, 0.8))])], describe: `x=[${x}] slope=[${slope}]` };
});

test('PRelu: a slope that does not broadcast to X one way is refused', () => {
  const b = new GraphBuilder(new Rng(2));
  const y = b.op('PRelu', [b.input('x', [2, 3]), b.weight('slope', [4, 3])]);
  assert.throws(() => inferShapes(b.unevaluated([y])), /node 'PRelu_0' \(PRelu\): slope \[4, 3\] should broadcast to the input \[2, 3\]/);
});

const conv3x3 = { kernel_shape: intsAttr([3, 3]), pads: intsAttr([1, 1, 1, 1]) };

for (const slopeDims of [[4, 1, 1], [1]]) {
  test(`PRelu with a ${slopeDims.length === 3 ? 'per-channel [C, 1, 1]' : 'shared [1]'} slope: pruned model equals the gated one`, async () => {
    const b = new ModelBuilder(21);
    const x = b.input('x', ['batch', 2, 5, 5]);
    const h = b.node('PRelu', [b.node('Conv', [x, b.weight('w1', [4, 2, 3, 3]), b.weight('b1', [4])], conv3x3, 'conv1'), b.weight('slope', slopeDims, undefined, -0.5, 0.5)], {}, 'prelu');
    const y = b.node('Relu', [b.node('Conv', [h, b.weight('w2', [3, 4, 3, 3]), b.weight('b2', [3])], conv3x3, 'conv2')]);
    const z = b.node('Flatten', [b.node('GlobalAveragePool', [y])], { axis: intAttr(1) });
    const model = b.model(b.node('Gemm', [z, b.weight('fc', [2, 3]), b.weight('fcb', [2])], { transB: intAttr(1) }, 'fc'));
    const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
    assert.deepEqual(d.groups.map((g) => g.producers), [['conv1'], ['conv2']]);
    const masks = [Uint8Array.from([1, 0, 1, 1]), Uint8Array.from([1, 1, 0])];
    const { model: pruned } = pruneModel(model, d, masks);
    const slope = model.graph.initializers.get('slope')!;
    const expected = slopeDims.length === 3 ? takeAlongAxis(slope, 0, [0, 2, 3]) : slope;
    assert.deepEqual(pruned.graph.initializers.get('slope'), expected);
    const r = await verifyPruning(model, d, masks, b.batch([2, 2, 5, 5]), { pruned, session: { threads: 1 } });
    assert.ok(r.maxAbsDiff <= 1e-5, `pruned vs gated logits differ by ${r.maxAbsDiff}`);
  });
}
