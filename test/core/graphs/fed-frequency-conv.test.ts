/**
 * Training graphs with large stride-1 convs in the frequency domain, the kernel spectrum computed in the graph from
 * the fed weight (graphs/fed-frequency-conv.ts): the twiddles are the constant lowering's kernel spectrum, and a
 * training step of a narrow SimpleConvNet gives the direct convs' logits and every parameter's gradient.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIMPLE_CONVNET, buildSmallCnn } from '../../../src/core/models/small-cnn';
import { buildTrainingGraphs } from '../../../src/core/graphs/training-graphs';
import { tapTwiddles } from '../../../src/core/graphs/fed-frequency-conv';
import { planFrequencyConv } from '../../../src/core/graphs/frequency-conv/plan';
import { kernelSpectrum } from '../../../src/core/graphs/frequency-conv/spectra';
import { Node, intsAttr } from '../../../src/core/onnx/ir';
import { Rng } from '../../support/random';
import { assertSameStep, trainingStepOutputs } from '../../support/training-step';

test('tap twiddles times the weight are the constant lowering kernel spectrum', () => {
  const node: Node = { name: 'c', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes: { pads: intsAttr([2, 1, 2, 1]), dilations: intsAttr([1, 2]) } };
  const plan = planFrequencyConv(node, [1, 1, 9, 8], [1, 1, 3, 3], [1, 1, 11, 6]);
  assert.ok(plan);
  const rng = new Rng(4);
  const w = Float32Array.from({ length: 9 }, () => rng.normal());
  const { cos, sin } = tapTwiddles(plan);
  const { fromRe } = kernelSpectrum(w, plan);
  const kw = Math.floor(plan.periods[1] / 2) + 1;
  for (let fh = 0; fh < plan.periods[0]; fh++) {
    for (let fw = 0; fw < kw; fw++) {
      const bin = fh * kw + fw;
      const [re, im] = [0, 1].map((part) => fromRe[(fh * 2 + part) * kw + fw]);
      const dot = (t: Float32Array): number => w.reduce((s, v, k) => s + v * t[bin * 9 + k], 0);
      assert.ok(Math.abs(dot(cos) - re) < 1e-5 && Math.abs(dot(sin) - im) < 1e-5, `bin (${fh}, ${fw})`);
    }
  }
});

test('narrow SimpleConvNet training step: frequency-domain fed-weight convs give the direct logits and parameter gradients', async () => {
  const spec = { ...SIMPLE_CONVNET, height: 12, width: 12, blocks: [4, 6, 8].map((channels) => ({ channels, kernel: 5, stride: 1 })), seed: 3 };
  const model = buildSmallCnn(spec);
  const batch = 3;
  const rng = new Rng(5);
  const x = Float32Array.from({ length: batch * 3 * 12 * 12 }, () => rng.normal());
  const results: Float32Array[][] = [];
  for (const frequencyCostRatio of [Infinity, 0]) {
    const graphs = buildTrainingGraphs(model, batch, undefined, 'batch', { frequencyCostRatio });
    const lowered = new Set(graphs.forward.nodes.filter((n) => n.name.startsWith('ffconv')).map((n) => n.name.split('/')[1]));
    assert.equal(lowered.size, frequencyCostRatio === 0 ? 0 : 3, [...lowered].join(', '));
    results.push(await trainingStepOutputs(model, graphs, x));
  }
  const [frequency, direct] = results;
  assertSameStep(frequency, direct, 1e-5);
});
