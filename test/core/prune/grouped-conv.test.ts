/**
 * Pruning through depthwise and grouped convolutions. A depthwise conv's output channel c (k channels for
 * multiplier k) is made from input channel c alone, and a grouped conv's output group j from input group j alone,
 * so these convs follow the group that feeds them: removing a unit removes their input and output channels
 * together, the `group` attribute shrinks, and every conv group keeps its size (units are whole conv groups).
 * Each case: the pruned model equals the gated one in onnxruntime, and the gate gradients are exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, Node, Tensor, attrInt } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { KeepMask, concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { GroupedConvSpec, checkGateGradients, groupedConvNet } from './mobile-blocks';
import { prng } from './ir-builder';
import { unitMagnitudes } from '../../../src/core/bise/baselines';

const discover = (m: Model): Discovery => discoverUnits(m.graph, inferShapes(m.graph, concreteInputShapes(m.graph)));
const nodeOf = (m: Model, name: string): Node => m.graph.nodes.find((n) => n.name === name) as Node;
const init = (m: Model, name: string): Tensor => m.graph.initializers.get(nodeOf(m, name).inputs[1]) as Tensor;

/** Random keep-masks (each group keeps at least one unit). */
function randomMasks(d: Discovery, seed: number): boolean[][] {
  const rand = prng(seed);
  return d.groups.map((g) => {
    const keep = Array.from({ length: g.channels }, () => rand() < 0.5);
    keep[Math.floor(rand() * g.channels)] = true;
    return keep;
  });
}

async function assertPrunedMatchesGated(model: Model, d: Discovery, masks: readonly KeepMask[]): Promise<Model> {
  const { model: pruned } = pruneModel(model, d, masks);
  const rand = prng(7);
  const data = Float32Array.from({ length: 3 * 2 * 5 * 5 }, () => rand() * 2 - 1);
  const r = await verifyPruning(model, d, masks, { dims: [3, 2, 5, 5], data }, { pruned, session: { threads: 1 } });
  const scale = r.gatedLogits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(scale > 1e-3, 'the check model has logits worth comparing');
  assert.ok(r.maxAbsDiff <= 1e-5 * scale, `pruned vs gated logits differ by ${r.maxAbsDiff} (largest logit ${scale})`);
  return pruned;
}

const CASES: readonly (GroupedConvSpec & { label: string })[] = [
  { label: 'depthwise', channels: 6, group: 6, outChannels: 6 },
  { label: 'depthwise, multiplier 2, no bias', channels: 4, group: 4, outChannels: 8, bias: false },
  { label: 'grouped, 2 groups of 4 → 6', channels: 8, group: 2, outChannels: 12 },
  { label: 'grouped, 3 groups of 2 → 2', channels: 6, group: 3, outChannels: 6 },
];

for (const spec of CASES) {
  test(`${spec.label}: the conv loses whole groups with the units that feed it; pruned = gated`, async () => {
    const model = groupedConvNet(spec);
    const d = discover(model);
    const [g] = d.groups;
    assert.deepEqual([g.producers, g.followers], [['conv0'], ['grouped']]);
    const units = g.channels;
    assert.equal(units, spec.group, 'a unit per conv group');
    for (const seed of [1, 2, 3]) {
      const masks = randomMasks(d, seed);
      const pruned = await assertPrunedMatchesGated(model, d, masks);
      const kept = masks[0].map((k, u) => (k ? u : -1)).filter((u) => u >= 0);
      const grouped = nodeOf(pruned, 'grouped');
      assert.equal(attrInt(grouped, 'group', 1), kept.length, `seed ${seed}: group shrinks to the kept units`);
      assert.deepEqual(init(pruned, 'grouped').dims, [kept.length * (spec.outChannels / units), spec.channels / spec.group, 3, 3]);
      assert.deepEqual(init(pruned, 'conv0').dims, [kept.length * (spec.channels / units), 2, 3, 3]);
      assert.equal(init(pruned, 'proj').dims[1], kept.length * (spec.outChannels / units));
      // Output group j of the pruned conv is output group kept[j] of the source.
      const perOut = spec.outChannels / units;
      const source = init(model, 'grouped');
      const row = source.data.length / source.dims[0];
      const expected = kept.flatMap((u) => Array.from((source.data as Float32Array).slice(u * perOut * row, (u + 1) * perOut * row)));
      assert.deepEqual(Array.from(init(pruned, 'grouped').data as Float32Array), expected);
    }
  });

  test(`${spec.label}: gate gradients`, async () => {
    const model = groupedConvNet(spec);
    await checkGateGradients(spec.label, model, discover(model));
  });
}

test('keeping every unit returns the model unchanged', () => {
  const model = groupedConvNet({ channels: 8, group: 2, outChannels: 12 });
  const d = discover(model);
  const same = pruneModel(model, d, d.groups.map((g) => new Array<boolean>(g.channels).fill(true))).model;
  assert.deepEqual(serializeModel(same), serializeModel(model));
});

test('a mask that is not whole units is refused with the group and its unit count', () => {
  const model = groupedConvNet({ channels: 8, group: 2, outChannels: 12 });
  const d = discover(model);
  assert.throws(() => pruneModel(model, d, [new Array<boolean>(8).fill(true), new Array<boolean>(16).fill(true)]), /mask of group 0 .* has 8 entries but the group has 2 units/);
});

test('the magnitude baseline scores a unit by all of its channels', () => {
  const model = groupedConvNet({ channels: 8, group: 2, outChannels: 12 });
  const d = discover(model);
  const [l1] = unitMagnitudes(model, d);
  const w = init(model, 'conv0');
  const row = w.data.length / 8;
  const block = (u: number): number => Array.from((w.data as Float32Array).slice(u * 4 * row, (u + 1) * 4 * row)).reduce((s, v) => s + Math.abs(v), 0);
  assert.equal(l1.length, 2);
  for (const u of [0, 1]) assert.ok(Math.abs(l1[u] - block(u)) < 1e-9 * block(u), `unit ${u}: ${l1[u]} vs ${block(u)}`);
});
