/**
 * Channel maps through layout ops: pruned channels on an axis other than 1. tf2onnx's NHWC graphs (Transposes
 * around convs, bias Add and ReLU on channels-last tensors, a Keras Flatten in NHWC order), a ViT-like patch
 * embedding (Conv → Reshape → Transpose → MatMul rows) with an MLP on the tokens' last axis, a ConvNeXt block
 * (depthwise conv → channels-last LayerNorm → MLP → layer scale → residual), ShuffleNet's channel shuffle
 * (Reshape → Transpose → Reshape, pruned as one Gather) with x.chunk(2, dim=1) bounds computed from the shape.
 * Every prunable case runs in onnxruntime against the gated model with random masks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, Tensor, intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { Discovery } from '../../../src/core/units/discover';
import { PruneError, concreteInputShapes, pruneModel, verifyPruning } from '../../../src/core/prune';
import { reshapedChannelAxis } from '../../../src/core/ops/defs/Reshape';
import { findChannelShuffles, shuffledChannels } from '../../../src/core/prune/channel-shuffle';
import { identityMap, mergedMap } from '../../../src/core/prune/channel-map';
import { GraphBuilder, prng, conv, convNextBlock, discover, gelu, perm } from './ir-builder';


/** Seeded random keep-masks, about half of each group, never empty. */
function randomMasks(d: Discovery, seed: number): boolean[][] {
  const rand = prng(seed);
  return d.groups.map((g) => {
    const keep = Array.from({ length: g.channels }, () => rand() < 0.5);
    keep[Math.floor(rand() * g.channels)] = true;
    return keep;
  });
}

function init(model: Model, name: string): Tensor {
  const t = model.graph.initializers.get(name);
  assert.ok(t, `initializer '${name}' exists`);
  return t;
}

const kept = (mask: readonly boolean[]): number => mask.filter(Boolean).length;

/** Pruned with several random masks, each equal to the gated model (batch 2, and the verifier's other batch). */
async function assertPrunesExactly(b: GraphBuilder, model: Model, d: Discovery, inputDims: number[], seeds = [1, 2, 3]): Promise<void> {
  for (const seed of seeds) {
    const masks = randomMasks(d, seed);
    const r = await verifyPruning(model, d, masks, b.batch(inputDims), { session: { threads: 1 } });
    assert.ok(r.maxAbsDiff <= 1e-5, `seed ${seed}: pruned vs gated logits differ by ${r.maxAbsDiff}`);
  }
}

/** tf2onnx without its transpose optimiser: NHWC input, every conv wrapped in Transposes, bias and ReLU channels-last. */
function kerasWrapped(head: 'reshape' | 'flatten'): { b: GraphBuilder; model: Model } {
  const b = new GraphBuilder(5);
  const x = b.input('x', ['batch', 6, 6, 3]);
  const c1 = b.node('Conv', [b.node('Transpose', [x], perm(0, 3, 1, 2)), b.weight('w1', [4, 3, 3, 3])], conv(3, 1), 'conv1');
  const r1 = b.node('Relu', [b.node('Add', [b.node('Transpose', [c1], perm(0, 2, 3, 1)), b.weight('b1', [4])])], {}, 'relu1');
  const p1 = b.node('MaxPool', [b.node('Transpose', [r1], perm(0, 3, 1, 2))], { kernel_shape: intsAttr([2, 2]), strides: intsAttr([2, 2]) });
  const c2 = b.node('Conv', [p1, b.weight('w2', [5, 4, 3, 3])], conv(3, 1), 'conv2');
  const r2 = b.node('Relu', [b.node('Add', [b.node('Transpose', [c2], perm(0, 2, 3, 1)), b.weight('b2', [5])])], {}, 'relu2');
  const flat =
    head === 'reshape' ? b.node('Reshape', [r2, b.int64('flat_shape', [-1, 45])], {}, 'flatten') : b.node('Flatten', [r2], { axis: intAttr(1) }, 'flatten');
  const d1 = b.node('Relu', [b.node('Add', [b.node('MatMul', [flat, b.weight('wd', [45, 6])], {}, 'dense'), b.weight('bd', [6])])], {}, 'relu3');
  return { b, model: b.model(b.node('Add', [b.node('MatMul', [d1, b.weight('wo', [6, 3])], {}, 'out'), b.weight('bo', [3])])) };
}

test('NHWC: channels follow the Transposes, the channels-last bias and the Keras flatten (every C-th feature)', async () => {
  for (const head of ['reshape', 'flatten'] as const) {
    const { b, model } = kerasWrapped(head);
    const d = discover(model);
    assert.deepEqual(d.groups.map((g) => g.producers), [['conv1'], ['conv2'], ['dense']], head);
    const masks = [[true, false, true, true], [false, true, true, false, true], [true, true, false, true, false, true]];
    const { model: pruned } = pruneModel(model, d, masks, { inputShapes: new Map([['x', [1, 6, 6, 3]]]) });
    assert.deepEqual(init(pruned, 'w1').dims, [3, 3, 3, 3]);
    assert.deepEqual(init(pruned, 'b1').dims, [3]);
    assert.deepEqual(init(pruned, 'w2').dims, [3, 3, 3, 3]);
    // The flatten keeps each pixel's channels together: conv2's channels 1, 2, 4 are features 5p + 1, 5p + 2, 5p + 4.
    const wd = init(pruned, 'wd');
    assert.deepEqual(wd.dims, [27, 4]);
    const source = init(model, 'wd').data as Float32Array;
    const rows = Array.from({ length: 9 }, (_, p) => [5 * p + 1, 5 * p + 2, 5 * p + 4]).flat();
    const cols = [0, 1, 3, 5];
    assert.deepEqual([...(wd.data as Float32Array)], rows.flatMap((r) => cols.map((c) => source[r * 6 + c])));
    if (head === 'reshape') assert.deepEqual([...(init(pruned, 'flat_shape').data as BigInt64Array)].map(Number), [-1, 27]);
    await verifyPruning(model, d, masks, b.batch([2, 6, 6, 3]), { pruned, session: { threads: 1 } }).then((r) => assert.ok(r.maxAbsDiff <= 1e-5, `${head}: ${r.maxAbsDiff}`));
    await assertPrunesExactly(b, model, d, [2, 6, 6, 3]);
  }
});

test('ViT-like: the patch conv follows Reshape → Transpose into MatMul rows; the token MLP loses neurons on the last axis, through a Split and Concat', async () => {
  const b = new GraphBuilder(7);
  const x = b.input('x', ['batch', 3, 8, 8]);
  const patches = b.node('Conv', [x, b.weight('wp', [6, 3, 4, 4]), b.weight('bp', [6])], conv(4, 0, 4), 'patch');
  const tokens = b.node('Transpose', [b.node('Reshape', [b.node('Relu', [patches]), b.int64('tokens_shape', [0, 6, 4])])], perm(0, 2, 1), 'to_tokens');
  const hidden = gelu(b, b.node('Add', [b.node('MatMul', [tokens, b.weight('w1', [6, 12])], {}, 'fc1'), b.weight('b1', [12])]), 'gelu');
  const [left, right] = b.nodeOutputs('Split', [hidden, b.int64('sizes', [5, 7])], 2, { axis: intAttr(2) }, 'split');
  const swapped = b.node('Concat', [right, left], { axis: intAttr(-1) }, 'swap');
  const mixed = b.node('Add', [b.node('MatMul', [swapped, b.weight('w2', [12, 6])], {}, 'fc2'), b.weight('b2', [6])]);
  const pooled = b.node('ReduceMean', [mixed], { axes: intsAttr([1]), keepdims: intAttr(0) }, 'pool');
  const model = b.model(b.node('Gemm', [pooled, b.weight('fc', [3, 6]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc'));
  const d = discover(model);
  assert.deepEqual(d.groups.map((g) => g.producers), [['patch'], ['fc1'], ['fc2']]);
  const masks = [[true, false, true, false, true, true], [true, true, false, false, true, false, true, true, false, true, false, true], [false, true, true, true, false, true]];
  const { model: pruned } = pruneModel(model, d, masks);
  assert.deepEqual(init(pruned, 'w1').dims, [4, 7]);
  assert.deepEqual(init(pruned, 'w2').dims, [7, 4]);
  assert.deepEqual([...(init(pruned, 'sizes').data as BigInt64Array)].map(Number), [3, 4]);
  assert.deepEqual(init(pruned, 'fc').dims, [3, 4]);
  await verifyPruning(model, d, masks, b.batch([2, 3, 8, 8]), { pruned, session: { threads: 1 } }).then((r) => assert.ok(r.maxAbsDiff <= 1e-5, String(r.maxAbsDiff)));
  await assertPrunesExactly(b, model, d, [2, 3, 8, 8]);
});

test('ConvNeXt block: only the MLP hidden neurons are pruned (rows of the second Linear), exactly', async () => {
  const { b, model } = convNextBlock(9, true);
  const d = discover(model);
  assert.deepEqual(d.groups.map((g) => g.producers), [['pwconv1']]);
  const mask = [true, false, false, true, true, false, true, true, false, false, true, false, true, true, false, true];
  const { model: pruned, report } = pruneModel(model, d, [mask]);
  assert.deepEqual(init(pruned, 'w1').dims, [8, kept(mask)]);
  assert.deepEqual(init(pruned, 'b1').dims, [kept(mask)]);
  assert.deepEqual(init(pruned, 'w2').dims, [kept(mask), 8]);
  assert.deepEqual(init(pruned, 'ws').dims, [8, 3, 2, 2], 'the residual stream and the LayerNorm keep their channels');
  assert.equal(report.groups[0].removed, 16 - kept(mask));
  await assertPrunesExactly(b, model, d, [2, 3, 8, 8]);
});

test('a LayerNormalization over the pruned channel axis is refused, naming it (the statistics would change)', () => {
  const { model } = convNextBlock(9, true);
  // Discovery never gates the stem (its channels reach the LayerNorm): the pruner is handed it directly.
  const site = { tensor: 'stem_out', channels: 8, rank: 4, axis: 1, repeat: 1 };
  const stemOnly: Discovery = {
    ...discover(model),
    groups: [{ id: 0, channels: 8, producers: ['stem'], followers: [], sites: [site], label: 'stem' }],
    sites: [{ ...site, group: 0 }],
  };
  assert.throws(
    () => pruneModel(model, stemOnly, [[true, false, true, false, true, true, false, true]]),
    (e: unknown) => e instanceof PruneError && e.node === 'ln' && /normalises over axes 3 to 3 .* include the channel axis 3/.test(e.message),
  );
});

test('MaxPool on a channels-last tensor would pool across the channels: refused, naming it', () => {
  const b = new GraphBuilder(4);
  const x = b.input('x', ['batch', 3, 6, 6]);
  const r = b.node('Relu', [b.node('Conv', [x, b.weight('w', [4, 3, 3, 3])], conv(3, 1), 'conv')]);
  const pooled = b.node('MaxPool', [b.node('Transpose', [r], perm(0, 2, 3, 1))], { kernel_shape: intsAttr([2, 2]) }, 'pool');
  const model = b.model(b.node('Gemm', [b.node('Flatten', [pooled]), b.weight('fc', [3, 90])], { transB: intAttr(1) }));
  const d = discover(model, false);
  assert.throws(() => pruneModel(model, d, [[true, false, true, true]]), (e: unknown) => e instanceof PruneError && e.node === 'pool' && /holds its partly pruned channels on axis 3/.test(e.message));
});

/** Two branches concatenated, shuffled (groups of 2), split in halves by bounds computed from the shape. */
function shuffleUnit(): { b: GraphBuilder; model: Model } {
  const b = new GraphBuilder(11);
  const x = b.input('x', ['batch', 3, 6, 6]);
  const branch = (name: string): string => b.node('Relu', [b.node('Conv', [x, b.weight(`w_${name}`, [4, 3, 3, 3]), b.weight(`b_${name}`, [4])], conv(3, 1), name)]);
  const cat = b.node('Concat', [branch('convA'), branch('convB')], { axis: intAttr(1) }, 'cat');
  const split = b.node('Reshape', [cat, b.int64('split_shape', [0, 2, 4, 6, 6])], {}, 'shuffle_split');
  const shuffled = b.node('Reshape', [b.node('Transpose', [split], perm(0, 2, 1, 3, 4), 'shuffle_transpose'), b.int64('merge_shape', [0, 8, 6, 6])], {}, 'shuffle_merge');
  // x.chunk(2, dim=1): the bounds are Shape(x)[1] / 2 and onwards, computed in the graph.
  const channels = b.node('Gather', [b.node('Shape', [shuffled]), b.int64('one', [1])], { axis: intAttr(0) });
  const half = b.node('Div', [channels, b.int64('two', [2])]);
  const first = b.node('Slice', [shuffled, b.int64('zero', [0]), half, b.int64('axis1', [1])], {}, 'chunk0');
  const second = b.node('Slice', [shuffled, half, b.int64('big', [1000]), b.int64('axis1b', [1])], {}, 'chunk1');
  const convC = b.node('Relu', [b.node('Conv', [second, b.weight('w_convC', [4, 4, 1, 1]), b.weight('b_convC', [4])], conv(1, 0), 'convC')]);
  const joined = b.node('Concat', [first, convC], { axis: intAttr(1) });
  const z = b.node('Flatten', [b.node('GlobalAveragePool', [joined])], { axis: intAttr(1) });
  return { b, model: b.model(b.node('Gemm', [z, b.weight('fc', [3, 8]), b.weight('fcb', [3])], { transB: intAttr(1) }, 'fc')) };
}

test('channel shuffle: Reshape → Transpose → Reshape is found and permutes the kept channels', () => {
  const { model } = shuffleUnit();
  const shapes = inferShapes(model.graph, concreteInputShapes(model.graph));
  const found = findChannelShuffles(model.graph, shapes);
  const s = found.get('shuffle_split');
  assert.ok(s, 'the shuffle is found by its first Reshape');
  assert.equal(s.axis, 1);
  assert.deepEqual(s.source, [0, 4, 1, 5, 2, 6, 3, 7]);
  // Channels 1, 2 of A and 0, 3 of B (4, 7): shuffled they sit at 2, 4, 1, 7, i.e. kept 1, 2, 4, 7 gathered from 2, 0, 1, 3.
  const { map, gather } = shuffledChannels(s, { size: 8, kept: [1, 2, 4, 7], axis: 1 });
  assert.deepEqual(map.kept, [1, 2, 4, 7]);
  assert.deepEqual(gather, [2, 0, 1, 3]);
});

test('channel shuffle with computed chunk bounds: one Gather instead of the three nodes, constant bounds, exact', async () => {
  const { b, model } = shuffleUnit();
  const d = discover(model);
  assert.deepEqual(d.groups.map((g) => g.producers), [['convA'], ['convB'], ['convC']]);
  const masks = [[true, true, false, true], [false, true, true, false], [true, false, true, true]];
  const { model: pruned } = pruneModel(model, d, masks);
  const ops = pruned.graph.nodes.map((n) => n.opType);
  assert.ok(!ops.includes('Transpose') && !ops.includes('Shape'), `no Transpose or shape arithmetic left: ${ops.join(', ')}`);
  const gather = pruned.graph.nodes.find((n) => n.name === 'shuffle_merge');
  assert.equal(gather?.opType, 'Gather');
  // Kept: A 0, 1, 3 and B 1, 2 (5, 6): shuffled positions 0, 2, 6 and 3, 5 → [0, 2, 3, 5, 6], first half 0, 2, 3.
  assert.deepEqual(init(pruned, 'w_convC').dims, [3, 2, 1, 1]);
  assert.deepEqual(init(pruned, 'fc').dims, [3, 6]);
  await verifyPruning(model, d, masks, b.batch([2, 3, 6, 6]), { pruned, session: { threads: 1 } }).then((r) => assert.ok(r.maxAbsDiff <= 1e-5, String(r.maxAbsDiff)));
  await assertPrunesExactly(b, model, d, [2, 3, 6, 6]);
});

test('reshapedChannelAxis: the reshapes that keep every channel apart, and where they put them', () => {
  assert.deepEqual(reshapedChannelAxis([2, 4, 3, 3], [2, 36], 1), { axis: 1, before: 1, after: 9 }, 'flatten(1)');
  assert.deepEqual(reshapedChannelAxis([2, 4, 3, 3], [2, 4, 9], 1), { axis: 1, before: 1, after: 1 }, 'ViT patches');
  assert.deepEqual(reshapedChannelAxis([2, 3, 3, 4], [2, 36], 3), { axis: 1, before: 9, after: 1 }, 'Keras flatten of NHWC');
  assert.deepEqual(reshapedChannelAxis([2, 5, 4], [10, 4], 2), { axis: 1, before: 1, after: 1 }, 'tokens merged with the batch');
  assert.deepEqual(reshapedChannelAxis([2, 4, 6], [2, 8, 3], 1), { axis: 1, before: 1, after: 2 }, 'each new row within one channel');
  assert.equal(reshapedChannelAxis([2, 8, 3, 3], [2, 2, 4, 3, 3], 1), undefined, 'channel shuffle splits the axis');
  assert.equal(reshapedChannelAxis([2, 4, 4, 4], [2, 2, 8, 4], 1), undefined, 'rows of two channels');
  assert.equal(reshapedChannelAxis([2, 4], [8], 1), undefined, 'channels merged with the batch');
  const m = mergedMap({ ...identityMap(3, 3), kept: [0, 2] }, 2, 1, 1);
  assert.deepEqual(m, { size: 6, kept: [0, 2, 3, 5], axis: 1 });
});
