/**
 * Dropping the Muls by all-ones gates (graphs/one-gates.ts) must not change any number: on models whose gates take
 * every layout gated-forward.ts builds (plain [1, C, 1, 1], repeated for depthwise convs, channels-last), the
 * specialised step's logits and gate gradients equal the dense step's, and it is used only while the gates are ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelFile } from '../../../src/core/onnx/reader';
import { Graph, Node, floatTensor } from '../../../src/core/onnx/ir';
import { GateGradientRunner } from '../../../src/core/runtime/gate-gradient-runner';
import { specializeOneGates } from '../../../src/core/graphs/one-gates';
import { fixturePath, maxAbsDiff, relativeError } from '../../support/fixtures';
import { zooModelPath } from '../../support/zoo';

const node = (opType: string, inputs: string[], output: string): Node => ({ name: `${output}::node`, opType, domain: '', inputs, outputs: [output], attributes: {} });

test('a Mul by an all-ones input, or by its reshaped or repeated form, is dropped; other Muls stay', () => {
  const graph: Graph = {
    name: 'g',
    nodes: [
      node('Relu', ['x'], 'h'),
      node('Reshape', ['g1', 'shape'], 'g1r'),
      node('Mul', ['h', 'g1r'], 'h::gated'),
      node('MatMul', ['g2', 'spread'], 'g2s'),
      node('Mul', ['g2s', 'h::gated'], 'h2'),
      node('MatMul', ['g2', 'notSpread'], 'g2n'),
      node('Mul', ['h2', 'g2n'], 'h3'),
      node('Mul', ['h3', 'g3'], 'out'),
    ],
    inputs: [
      { name: 'x', dtype: 'float32', shape: [2, 2] },
      { name: 'g1', dtype: 'float32', shape: [2] },
      { name: 'g2', dtype: 'float32', shape: [1, 1] },
      { name: 'g3', dtype: 'float32', shape: [1, 2] },
    ],
    outputs: [{ name: 'out', dtype: 'float32', shape: [2, 2] }, { name: 'h::gated', dtype: 'float32', shape: [2, 2] }],
    initializers: new Map([
      ['shape', { dtype: 'int64', dims: [2], data: new BigInt64Array([1n, 2n]) }],
      ['spread', floatTensor([1, 2], [1, 1])],
      ['notSpread', floatTensor([1, 2], [1, 2])],
    ]),
    valueInfo: new Map(),
  };
  const shapes = new Map<string, number[]>([['x', [2, 2]], ['h', [2, 2]], ['g1r', [1, 2]], ['h::gated', [2, 2]], ['g2s', [1, 2]], ['h2', [2, 2]], ['g2n', [1, 2]], ['h3', [2, 2]], ['g3', [1, 2]], ['out', [2, 2]]]);
  const out = specializeOneGates(graph, shapes, new Set(['g1', 'g2', 'g3']));
  const ops = out.nodes.map((n) => `${n.opType}(${n.inputs.join(',')})->${n.outputs[0]}`);
  assert.deepEqual(ops, [
    'Relu(x)->h',
    // A graph output keeps its name, as an Identity.
    'Identity(h)->h::gated',
    // A 0/1 matrix with one 1 per column repeats a ones gate: still ones.
    'MatMul(g2,notSpread)->g2n',
    // The [1, 2] matrix with a 2 is not a repeat, so this Mul stays; the repeated ones' Mul reads h directly.
    'Mul(h,g2n)->h3',
    'Identity(h3)->out',
  ]);
  assert.ok(!out.initializers.has('spread') && !out.initializers.has('shape'), 'the dead gate layouts are dropped');
  assert.equal(specializeOneGates(graph, shapes, new Set()), graph);
});

const MODELS: readonly { label: string; file: string }[] = [
  { label: 'ResNet-18 (plain gates, residual Adds)', file: fixturePath('resnet18') },
  { label: 'MobileNetV2 (depthwise: repeated gates)', file: zooModelPath('mobilenet-v2-op13') },
  { label: 'ConvNeXt (channels-last gates)', file: zooModelPath('convnext-op13') },
];

for (const m of MODELS) {
  test(`${m.label}: the step specialised for all-ones gates equals the dense step`, async () => {
    const runner = await GateGradientRunner.create(readModelFile(m.file), { batchSize: 2 }, { threads: 2 });
    try {
      const g = runner.graphs;
      const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
      const x = Float32Array.from({ length: size(g.inputDims) }, (_, i) => Math.sin(i));
      const dLogits = Float32Array.from({ length: size(g.logitsDims) }, (_, i) => Math.cos(i) * 0.1);
      const dZ = Float32Array.from({ length: size(g.bottleneckDims) }, (_, i) => Math.sin(2 * i) * 0.1);
      const ones = g.gates.map((v) => new Float32Array(v.channels).fill(1));
      const step = async (gates: Float32Array[]) => {
        const f = await runner.forward(x, gates);
        const logits = Float32Array.from(f.logits);
        return { logits, grads: await runner.backward(f, dLogits, dZ), sessions: f.result.sessions };
      };
      const dense = await step(ones);
      await runner.specialize(g.gates.map(() => new Set<number>()));
      assert.equal(runner.specializedOnes().size, g.gates.length);
      const specialised = await step(ones);
      assert.notEqual(specialised.sessions, dense.sessions, 'the specialised sessions were used');
      assert.ok(maxAbsDiff(specialised.logits, dense.logits) <= 1e-5, `logits differ by ${maxAbsDiff(specialised.logits, dense.logits)}`);
      dense.grads.forEach((d, i) => assert.ok(relativeError(specialised.grads[i], d) <= 1e-5, `gate ${i}: ${relativeError(specialised.grads[i], d)}`));
      // The specialised forward has no gate Mul left.
      const remaining = specializeOneGates(g.forward, g.forwardShapes, new Set(g.gates.map((v) => v.name))).nodes.filter((n) => n.name.endsWith('::gate_mul'));
      assert.deepEqual(remaining.map((n) => n.name), []);
      // One closed gate breaks the assumption: the dense pair runs.
      const closed = ones.map((v) => Float32Array.from(v));
      closed[0][0] = 0;
      const fallback = await step(closed);
      assert.notEqual(fallback.sessions, specialised.sessions);
      assert.deepEqual(runner.specializedOnes(), new Set(g.gates.map((_, i) => i)), 'the specialisation itself stays until the next specialize()');
    } finally {
      await runner.release();
    }
  });
}

test("a runner created 'open-gates' starts specialised, gives the dense step's numbers, and builds a dense pair only when a gate closes", async () => {
  const model = readModelFile(zooModelPath('mobilenet-v2-op13'));
  const [dense, open] = [await GateGradientRunner.create(model, { batchSize: 2 }, { threads: 2 }), await GateGradientRunner.create(model, { batchSize: 2 }, { threads: 2 }, 'open-gates')];
  try {
    const g = dense.graphs;
    assert.equal(open.specializedOnes().size, g.gates.length);
    const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: size(g.inputDims) }, (_, i) => Math.sin(i));
    const dLogits = Float32Array.from({ length: size(g.logitsDims) }, (_, i) => Math.cos(i) * 0.1);
    const dZ = Float32Array.from({ length: size(g.bottleneckDims) }, (_, i) => Math.sin(2 * i) * 0.1);
    const step = async (runner: GateGradientRunner, gates: Float32Array[]) => {
      const f = await runner.forward(x, gates);
      const logits = Float32Array.from(f.logits);
      return { logits, grads: await runner.backward(f, dLogits, dZ), sessions: f.result.sessions };
    };
    for (const closeOne of [false, true]) {
      const gates = g.gates.map((v) => new Float32Array(v.channels).fill(1));
      if (closeOne) gates[1][0] = 0;
      const [a, b] = [await step(dense, gates), await step(open, gates)];
      assert.ok(maxAbsDiff(a.logits, b.logits) <= 1e-5);
      a.grads.forEach((d, i) => assert.ok(relativeError(b.grads[i], d) <= 1e-5, `${closeOne ? 'one gate closed' : 'open'}, gate ${i}: ${relativeError(b.grads[i], d)}`));
    }
  } finally {
    await dense.release();
    await open.release();
  }
});
