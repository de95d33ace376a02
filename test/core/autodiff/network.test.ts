/**
 * Gradient checks on small whole networks: rules composed, gradients accumulated over fan-out (residual adds,
 * a tensor that is both a seed and an input of later nodes), and per-channel gates as targets, the way the
 * engine uses buildBackward.
 */
import { test } from 'node:test';
import { intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { GraphBuilder } from '../../support/graph-builder';
import { gradCheckDraws } from '../../support/gradcheck';
import { normal, uniform } from '../../support/random';

test('conv net: Conv, BatchNormalization, Relu, gates, MaxPool, residual Add, AveragePool, GlobalAveragePool, Flatten, Gemm', async () => {
  await gradCheckDraws('conv net', 3, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', [2, 3, 8, 8]);
    const conv1 = b.op('Conv', [x, b.weight('w1', [4, 3, 3, 3], normal(0.4)), b.weight('b1', [4])], { pads: intsAttr([1, 1, 1, 1]) });
    const bn = b.op('BatchNormalization', [conv1, b.weight('bn_scale', [4], uniform(0.5, 1.5)), b.weight('bn_bias', [4]), b.weight('bn_mean', [4]), b.weight('bn_var', [4], uniform(0.5, 1.5))]);
    const gate1 = b.input('gate1', [1, 4, 1, 1], uniform(0.5, 1.5));
    const [pooled] = b.node('MaxPool', [b.op('Mul', [b.op('Relu', [bn]), gate1])], { kernel_shape: intsAttr([2, 2]), strides: intsAttr([2, 2]) }, 2);
    const conv2 = b.op('Conv', [pooled, b.weight('w2', [4, 4, 3, 3], normal(0.3))], { pads: intsAttr([1, 1, 1, 1]) });
    const gate2 = b.input('gate2', [1, 4, 1, 1], uniform(0.5, 1.5));
    const block = b.op('Mul', [b.op('Relu', [b.op('Add', [conv2, pooled])]), gate2]);
    const averaged = b.op('AveragePool', [block], { kernel_shape: intsAttr([2, 2]), strides: intsAttr([2, 2]) });
    const z = b.op('Flatten', [b.op('GlobalAveragePool', [averaged])]);
    const logits = b.op('Gemm', [z, b.weight('w_fc', [3, 4]), b.weight('b_fc', [3])], { transB: intAttr(1) });
    return { built: b.build([logits, z]), seeds: [logits, z], targets: ['gate1', 'gate2', 'w1', 'w_fc', 'x'] };
  });
});

test('attention block: MatMul, Transpose, Div, Softmax, residual Add, Tanh, Reshape, Concat, Sigmoid, Sub, LeakyRelu', async () => {
  await gradCheckDraws('attention block', 3, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', [2, 3, 4]);
    const project = (name: string): string => b.op('MatMul', [x, b.weight(name, [4, 4], normal(0.5))]);
    const [q, k, v] = [project('wq'), project('wk'), project('wv')];
    const scores = b.op('Div', [b.op('MatMul', [q, b.op('Transpose', [k], { perm: intsAttr([0, 2, 1]) })]), b.weight('scale', [], () => [2])]);
    const attended = b.op('MatMul', [b.op('Softmax', [scores], { axis: intAttr(-1) }), v]);
    const flat = b.op('Reshape', [b.op('Tanh', [b.op('Add', [attended, x])]), b.ints('shape', [2, -1])]);
    const joined = b.op('Concat', [flat, b.op('Sigmoid', [flat])], { axis: intAttr(1) });
    const out = b.op('Sub', [joined, b.op('LeakyRelu', [joined], { alpha: { type: 'float', value: Math.fround(0.2) } })]);
    return { built: b.build([out]), seeds: [out], targets: ['x', 'wq', 'wk', 'wv'] };
  });
});

test('decoder: ConvTranspose, Clip, Dropout, Identity, Sigmoid', async () => {
  await gradCheckDraws('decoder', 2, (rng) => {
    const b = new GraphBuilder(rng);
    const z = b.input('z', [2, 3, 3, 3]);
    const up = b.op('ConvTranspose', [z, b.weight('w_up', [3, 2, 3, 3], normal(0.5)), b.weight('b_up', [2])], {
      strides: intsAttr([2, 2]),
      pads: intsAttr([1, 1, 1, 1]),
      output_padding: intsAttr([1, 1]),
    });
    const [dropped] = b.node('Dropout', [b.op('Identity', [up])], {}, 1);
    const out = b.op('Sigmoid', [b.op('Clip', [dropped, b.weight('lo', [], () => [-8]), b.weight('hi', [], () => [8])])]);
    return { built: b.build([out]), seeds: [out], targets: ['z', 'w_up', 'b_up'] };
  });
});
