/**
 * Training graphs with small-map convs as dense products assembled from the fed weights
 * (graphs/dense-conv/fed-weights.ts): the tap matrices are the single-channel convs' own matrices, and a
 * training step of a narrow ResNet-18 (batch statistics on) gives the same logits and the same gradient for
 * every parameter as the direct convs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESNET18_32, buildResNet18 } from '../../../src/core/models/resnet18';
import { buildTrainingGraphs } from '../../../src/core/graphs/training-graphs';
import { denseConvsWithFedWeights, tapMatrices } from '../../../src/core/graphs/dense-conv/fed-weights';
import { planDenseConv } from '../../../src/core/graphs/dense-conv/plan';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { intsAttr, Node } from '../../../src/core/onnx/ir';
import { Rng } from '../../support/random';
import { assertSameStep, trainingStepOutputs } from '../../support/training-step';

test('tap matrices: a 3x3 same conv on 2x2 reads every input position from every output position once', () => {
  const node: Node = { name: 'c', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes: { pads: intsAttr([1, 1, 1, 1]) } };
  const p = tapMatrices(planDenseConv(node, [1, 1, 2, 2], [1, 1, 3, 3], [1, 1, 2, 2])!);
  assert.equal(p.length, 9 * 16);
  // Summed over taps, each (input, output) pair is read exactly once: offsets −1…1 cover a 2×2 map.
  const summed = Array.from({ length: 16 }, (_, k) => Array.from({ length: 9 }, (_, t) => p[t * 16 + k]).reduce((a, b) => a + b, 0));
  assert.deepEqual(summed, new Array(16).fill(1));
  // The centre tap (t = 4) is the identity.
  assert.deepEqual(Array.from(p.subarray(4 * 16, 5 * 16)), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
});

test('narrow ResNet-18 training step: dense fed-weight convs give the direct logits and parameter gradients', async () => {
  const spec = { ...RESNET18_32, height: 16, width: 16, widths: [8, 8, 16, 16] as [number, number, number, number], seed: 2 };
  const model = buildResNet18(spec);
  const batch = 4;
  const rng = new Rng(9);
  const x = Float32Array.from({ length: batch * 3 * 16 * 16 }, () => rng.normal());
  const results: Float32Array[][] = [];
  for (const denseConvs of [true, false]) {
    const graphs = buildTrainingGraphs(model, batch, undefined, 'batch', { denseConvs });
    if (denseConvs) {
      const rewritten = graphs.forward.nodes.filter((n) => n.name.startsWith('dfconv')).length;
      assert.ok(rewritten > 0, 'some convs run on 2x2 or 1x1 maps and are rewritten');
    }
    results.push(await trainingStepOutputs(model, graphs, x));
  }
  const [dense, direct] = results;
  assertSameStep(dense, direct, 1e-4);
});

test('only convs with a fed weight, group 1 and a worthwhile product are rewritten', () => {
  const model = buildResNet18({ ...RESNET18_32, widths: [8, 8, 16, 16] as [number, number, number, number] });
  const graphs = buildTrainingGraphs(model, 2, undefined, 'frozen', { denseConvs: false });
  const shapes = inferShapes(graphs.forward, new Map([[graphs.input, [2, 3, 32, 32]]]));
  const rewritten = denseConvsWithFedWeights(graphs.forward, shapes).replaced;
  // At 32×32 input: layer3 (2×2) and layer4 (1×1) convs qualify, the stem (16×16) and layer1 (8×8) do not.
  assert.ok(rewritten.length > 0 && rewritten.every((name) => /layer[34]/.test(name)), rewritten.join(', '));
});
