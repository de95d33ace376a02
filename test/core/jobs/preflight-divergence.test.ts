/**
 * The preflight on models whose removed channels are not zero where they are read (DenseNet: Concat →
 * BatchNormalization → ReLU → Conv): it passes, since pruning folds the constant those channels leave; and when a
 * pruned model still differs, the search for the first node where a removed channel is not what pruning assumed
 * (prune/divergence.ts) names that node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Model, floatAttr, intAttr } from '../../../src/core/onnx/ir';
import { serializeModel } from '../../../src/core/onnx/writer';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { describeAndCheckModel } from '../../../src/core/jobs/info-job';
import { concreteInputShapes, pruneModel } from '../../../src/core/prune';
import { RemovedChannels } from '../../../src/core/prune/prune';
import { describeDivergence, firstDivergence } from '../../../src/core/prune/divergence';
import { discoverUnits } from '../../../src/core/units/discover';
import { GraphBuilder } from '../prune/ir-builder';
import { k3 } from '../prune/mobile-blocks';

/** Two dense layers: each conv's raw output is concatenated, batch-normalised (with shifts) and read by a 1×1 conv. */
function denseBlock(): Model {
  const b = new GraphBuilder(17);
  const x = b.input('x', ['batch', 1, 8, 8]);
  const stem = b.node('Relu', [b.node('Conv', [x, b.weight('w0', [4, 1, 3, 3]), b.weight('b0', [4])], k3, 'stem')], {}, 'stem_relu');
  const bnRelu = (t: string, c: number, name: string): string =>
    b.node(
      'Relu',
      [b.node('BatchNormalization', [t, b.weight(`${name}_s`, [c], undefined, 0.5, 1.5), b.weight(`${name}_o`, [c], undefined, 0.3, 1), b.weight(`${name}_m`, [c]), b.weight(`${name}_v`, [c], undefined, 0.5, 1.5)], { epsilon: floatAttr(1e-5) }, name)],
      {},
      `${name}_relu`,
    );
  const layer = (t: string, c: number, name: string): string => b.node('Conv', [bnRelu(t, c, `${name}_norm`), b.weight(`${name}_w`, [3, c, 1, 1])], {}, name);
  const l1 = layer(stem, 4, 'layer1');
  const cat1 = b.node('Concat', [stem, l1], { axis: intAttr(1) }, 'cat1');
  const l2 = layer(cat1, 7, 'layer2');
  const cat2 = b.node('Concat', [stem, l1, l2], { axis: intAttr(1) }, 'cat2');
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [bnRelu(cat2, 10, 'final_norm')])], { axis: intAttr(1) });
  return b.model(b.node('Gemm', [z, b.weight('fc', [10, 10]), b.weight('fcb', [10])], { transB: intAttr(1) }, 'fc'));
}

test('bise info accepts a DenseNet block: a random subnetwork prunes and matches the gated model', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-dense-'));
  const file = path.join(dir, 'dense.onnx');
  fs.writeFileSync(file, serializeModel(denseBlock()));
  const info = await describeAndCheckModel(file);
  assert.deepEqual(info.groups.map((g) => g.producers), [['stem'], ['layer1'], ['layer2']]);
  assert.ok(info.preflight.relativeDifference <= 1e-5, String(info.preflight.relativeDifference));
});

test('the divergence search names the first node whose removed channels differ from what pruning assumed', async () => {
  const model = denseBlock();
  const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
  const masks = [[true, false, true, false], [false, true, true], [true, true, false]];
  const { removedChannels } = pruneModel(model, d, masks);
  const batch = new GraphBuilder(8).batch([2, 1, 8, 8]);
  // As pruned: every removed channel holds what pruning assumed (zero, or the BN shift it folded).
  assert.equal(await firstDivergence(model, d, masks, batch, removedChannels), undefined);
  // Had pruning assumed the first BatchNorm keeps removed channels at zero, that BatchNorm is where they stray.
  const wrong = new Map<string, RemovedChannels>(removedChannels);
  for (const t of ['layer1_norm_out', 'layer1_norm_relu_out']) wrong.set(t, { ...(removedChannels.get(t) as RemovedChannels), state: undefined });
  const found = await firstDivergence(model, d, masks, batch, wrong);
  assert.equal(found?.node, 'layer1_norm');
  assert.equal(found.opType, 'BatchNormalization');
  assert.equal(found.expected, 0);
  assert.ok([1, 3].includes(found.channel) && found.actual !== 0);
  assert.match(describeDivergence(found), /channel [13] of its output 'layer1_norm_out' holds .* where pruning assumes zero/);
});
