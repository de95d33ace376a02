/**
 * Gradient checks for Conv and ConvTranspose on random geometries (1–3 spatial axes, stride, dilation, pads,
 * auto_pad, group, bias, output_padding), with the weight as a constant (initializer) or a graph input, so both
 * of Conv's input-gradient paths run. Weight gradients are checked for group 1 (grouped ones are unsupported).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Attribute, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { GradientError } from '../../../src/core/autodiff/rule';
import { GraphBuilder } from '../../support/graph-builder';
import { backwardOps, gradCheckDraws } from '../../support/gradcheck';
import { Rng } from '../../support/random';
import { ConvConfig, randomConv, randomConvTranspose } from '../../support/random-ops';

function convCase(op: 'Conv' | 'ConvTranspose', rng: Rng, c: ConvConfig, constantWeight: boolean) {
  const b = new GraphBuilder(rng);
  const x = b.input('x', c.x);
  const w = b.tensor('w', c.w, constantWeight);
  const bias = c.bias === undefined ? undefined : b.tensor('bias', [c.bias], rng.bool());
  const y = b.op(op, [x, w, ...(bias ? [bias] : [])], c.attrs);
  const targets = [x, ...(c.group === 1 ? [w] : []), ...(bias ? [bias] : [])];
  return { built: b.build([y]), seeds: [y], targets, describe: `${c.describe} constantWeight=${constantWeight}` };
}

test('Conv: dX, dW, dB on random geometries', async () => {
  await gradCheckDraws('Conv', 14, (rng) => convCase('Conv', rng, randomConv(rng), rng.bool()));
});

test('Conv: stride 1 takes the flipped-kernel Conv path (constant or fed weight), other strides ConvTranspose', async () => {
  const [flipped] = await gradCheckDraws('Conv flipped', 2, (rng) => convCase('Conv', rng, randomConv(rng, { stride: 1, spatialRank: 2 }), true));
  assert.ok(!backwardOps(flipped).includes('ConvTranspose'), `ops: ${backwardOps(flipped).join(', ')}`);
  const [strided] = await gradCheckDraws('Conv strided', 2, (rng) => convCase('Conv', rng, randomConv(rng, { stride: 2, spatialRank: 2 }), true));
  assert.ok(backwardOps(strided).includes('ConvTranspose'), `ops: ${backwardOps(strided).join(', ')}`);
  // A fed weight (training) is flipped in the graph (taps reversed by a product with the anti-identity).
  const [variable] = await gradCheckDraws('Conv variable weight', 2, (rng) => convCase('Conv', rng, randomConv(rng, { stride: 1, spatialRank: 2 }), false));
  assert.ok(!backwardOps(variable).includes('ConvTranspose'), `ops: ${backwardOps(variable).join(', ')}`);
  const [groupedVariable] = await gradCheckDraws('Conv grouped variable weight', 2, (rng) => convCase('Conv', rng, randomConv(rng, { stride: 1, group: 2, spatialRank: 2 }), false));
  assert.ok(!backwardOps(groupedVariable).includes('ConvTranspose'), `ops: ${backwardOps(groupedVariable).join(', ')}`);
  const [volumetric] = await gradCheckDraws('Conv 3-D variable weight', 2, (rng) => convCase('Conv', rng, randomConv(rng, { stride: 1, spatialRank: 3 }), false));
  assert.ok(!backwardOps(volumetric).includes('ConvTranspose'), `ops: ${backwardOps(volumetric).join(', ')}`);
});

test('Conv: grouped (incl. depthwise) convolutions give dX and dB', async () => {
  await gradCheckDraws('Conv grouped', 4, (rng) => convCase('Conv', rng, randomConv(rng, { group: rng.int(2, 3), spatialRank: 2 }), rng.bool()));
});

test('ConvTranspose: dX, dW, dB on random geometries', async () => {
  await gradCheckDraws('ConvTranspose', 12, (rng) => convCase('ConvTranspose', rng, randomConvTranspose(rng), rng.bool()));
});

test('ConvTranspose: grouped dX and dB', async () => {
  await gradCheckDraws('ConvTranspose grouped', 3, (rng) => convCase('ConvTranspose', rng, randomConvTranspose(rng, { group: 2 }), rng.bool()));
});

function gradientErrorFor(op: 'Conv' | 'ConvTranspose', attrs: Record<string, Attribute>, w: number[], target: 'x' | 'w'): unknown {
  const b = new GraphBuilder(new Rng(1));
  const y = b.op(op, [b.input('x', [1, 4, 5, 5]), b.input('w', w)], attrs);
  const graph = b.unevaluated([y]);
  try {
    buildBackward({ forward: graph, shapes: inferShapes(graph), seeds: [y], targets: [target] });
  } catch (e) {
    return e;
  }
  return undefined;
}

test('Conv / ConvTranspose: unsupported weight gradients and attributes are GradientErrors naming the node', () => {
  const grouped = gradientErrorFor('Conv', { group: intAttr(2) }, [4, 2, 3, 3], 'w');
  assert.ok(grouped instanceof GradientError && /'Conv_0'/.test(grouped.message) && /group/.test(grouped.message), String(grouped));
  const groupedT = gradientErrorFor('ConvTranspose', { group: intAttr(2) }, [4, 1, 3, 3], 'w');
  assert.ok(groupedT instanceof GradientError && /'ConvTranspose_0'/.test(groupedT.message) && /group/.test(groupedT.message), String(groupedT));
  const sized = gradientErrorFor('ConvTranspose', { output_shape: intsAttr([7, 7]) }, [4, 2, 3, 3], 'x');
  assert.ok(sized instanceof GradientError && /output_shape/.test(sized.message), String(sized));
});
