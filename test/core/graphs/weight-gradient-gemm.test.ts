/**
 * Conv weight gradients as one GEMM over the input's patches (graphs/weight-gradient-gemm.ts): in a narrow
 * ResNet-18's training step (3×3 stride 1 and 2, 1×1 stride-2 shortcuts, non-square maps) every direct
 * conv's weight gradient is rewritten except the RGB stem's, and every parameter gradient equals the Conv rule's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESNET18_32, buildResNet18 } from '../../../src/core/models/resnet18';
import { buildTrainingGraphs } from '../../../src/core/graphs/training-graphs';
import { MIN_CHANNELS } from '../../../src/core/graphs/weight-gradient-gemm';
import { Rng } from '../../support/random';
import { assertSameStep, trainingStepOutputs } from '../../support/training-step';

test('narrow ResNet-18 training step: patch-GEMM weight gradients equal the Conv rule', async () => {
  const spec = { ...RESNET18_32, height: 16, width: 12, widths: [16, 16, 32, 32] as [number, number, number, number], seed: 4 };
  const model = buildResNet18(spec);
  const batch = 3;
  const rng = new Rng(6);
  const x = Float32Array.from({ length: batch * 3 * 16 * 12 }, () => rng.normal());
  const results: Float32Array[][] = [];
  for (const weightGradientGemms of [true, false]) {
    const graphs = buildTrainingGraphs(model, batch, undefined, 'batch', { weightGradientGemms });
    const gemms = new Set(graphs.backward.graph.nodes.filter((n) => n.name.startsWith('wgrad')).map((n) => n.name.split('/')[0])).size;
    // Every conv the forward graph keeps direct (the rest run as dense products on small maps) with at least
    // MIN_CHANNELS inputs has its weight gradient rewritten: layer1's, layer2's and the 1×1 shortcuts, not the RGB stem.
    const direct = graphs.forward.nodes.filter((n) => n.opType === 'Conv' && (graphs.shapes.get(n.inputs[1]) as number[])[1] >= MIN_CHANNELS).length;
    assert.ok(direct >= 5 && direct < graphs.forward.nodes.filter((n) => n.opType === 'Conv').length);
    assert.equal(gemms, weightGradientGemms ? direct : 0);
    results.push(await trainingStepOutputs(model, graphs, x));
  }
  const [gemm, conv] = results;
  assertSameStep(gemm, conv, 1e-5);
});
