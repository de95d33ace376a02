/**
 * Physical pruning of the PyTorch fixtures: for seeded random masks (keep-probability 0.3, 0.5, 0.9) the
 * pruned model's logits equal the gated model's (gates = masks) in onnxruntime, and the pruned model is smaller
 * (parameters, FLOPs, serialized bytes) with weights shaped by the kept channels. The all-ones mask gives the
 * source model back; a mask that empties a group is refused; the source Model object is never modified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { Model, attrInt, elementCount } from '../../../src/core/onnx/ir';
import { readModelFile } from '../../../src/core/onnx/reader';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { serializeModel } from '../../../src/core/onnx/writer';
import { Discovery, discoverUnits } from '../../../src/core/units/discover';
import { KeepMask, PruneError, PruneVerifier, concreteInputShapes, pruneModel, runModel } from '../../../src/core/prune';
import { FIXTURE_MODELS, fixturePath, loadReference, maxAbsDiff } from '../../support/fixtures';
import { prng } from './ir-builder';

const KEEP_PROBABILITIES = [0.3, 0.5, 0.9];
const sha256 = (bytes: Uint8Array): string => crypto.createHash('sha256').update(bytes).digest('hex');

/** Each unit kept with probability p (at least one per group). */
function randomMasks(d: Discovery, p: number, seed: number): Uint8Array[] {
  const rand = prng(seed);
  return d.groups.map((g) => {
    const m = Uint8Array.from({ length: g.channels }, () => (rand() < p ? 1 : 0));
    if (!m.includes(1)) m[Math.floor(rand() * g.channels)] = 1;
    return m;
  });
}

const keptCount = (m: KeepMask): number => Array.from(m).filter(Boolean).length;

/** Weights, biases and the channels flowing between layers agree with the kept units. */
function assertShapes(source: Model, pruned: Model, d: Discovery, masks: readonly KeepMask[]): void {
  const shapes = inferShapes(pruned.graph, concreteInputShapes(pruned.graph));
  const init = (name: string) => pruned.graph.initializers.get(name);
  d.groups.forEach((g, k) => {
    const kept = keptCount(masks[k]);
    for (const p of g.producers) {
      const n = pruned.graph.nodes.find((x) => x.name === p);
      assert.ok(n, `producer ${p} is still there`);
      const w = init(n.inputs[1]);
      assert.ok(w);
      const outAxis = n.opType === 'Gemm' && attrInt(n, 'transB', 0) === 0 ? 1 : n.opType === 'MatMul' ? 1 : 0;
      assert.equal(w.dims[outAxis], kept, `${p}: weight [${w.dims.join(', ')}] has ${kept} output channels`);
      if (n.inputs[2]) assert.equal(init(n.inputs[2])?.dims[0], kept, `${p}: bias length`);
      assert.equal(shapes.get(n.outputs[0])?.[1], kept);
    }
    for (const s of g.sites) assert.equal(shapes.get(s.tensor)?.[1], kept, `site ${s.tensor}`);
  });
  for (const n of pruned.graph.nodes) {
    const w = init(n.inputs[1]);
    const x = shapes.get(n.inputs[0]);
    if (!w || !x) continue;
    if (n.opType === 'Conv') assert.equal(w.dims[1], x[1], `${n.name}: weight input channels follow its input`);
    if (n.opType === 'Gemm') assert.equal(w.dims[attrInt(n, 'transB', 0) === 1 ? 1 : 0], x[1], `${n.name}: weight input features follow its input`);
  }
  // The classifier keeps its outputs.
  assert.deepEqual(pruned.graph.outputs, source.graph.outputs);
}

for (const name of FIXTURE_MODELS) {
  test(`${name}: pruned logits equal gated logits, and the model shrinks`, async () => {
    const ref = loadReference(name);
    const model = readModelFile(fixturePath(name));
    const sourceHash = sha256(serializeModel(model));
    const sourceBytes = serializeModel(model).length;
    const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
    const verifier = await PruneVerifier.create(model, d, { threads: 2 });
    try {
      for (const [k, p] of KEEP_PROBABILITIES.entries()) {
        const masks = randomMasks(d, p, 1000 + k);
        const { model: pruned, report } = pruneModel(model, d, masks);
        const r = await verifier.compare(pruned, masks, ref.input);
        assert.ok(r.maxAbsDiff <= 1e-4, `p=${p}: pruned vs gated logits differ by ${r.maxAbsDiff}`);
        assert.ok(maxAbsDiff(r.gatedLogits, r.prunedLogits) === r.maxAbsDiff);

        assertShapes(model, pruned, d, masks);
        assert.ok(report.paramsAfter < report.paramsBefore, `p=${p}: parameters ${report.paramsBefore} -> ${report.paramsAfter}`);
        assert.ok(report.flopsAfter < report.flopsBefore, `p=${p}: FLOPs ${report.flopsBefore} -> ${report.flopsAfter}`);
        assert.ok(serializeModel(pruned).length < sourceBytes, `p=${p}: serialized size`);
        // The report adds up.
        let params = 0;
        for (const t of pruned.graph.initializers.values()) params += elementCount(t.dims);
        assert.equal(report.paramsAfter, params);
        assert.equal(report.flopsAfter, report.layers.reduce((s, l) => s + l.flopsAfter, 0));
        assert.equal(report.flopsBefore, report.layers.reduce((s, l) => s + l.flopsBefore, 0));
        for (const l of report.layers) {
          assert.equal(l.weightDimsAfter.join(), pruned.graph.initializers.get(l.weight)?.dims.join(), l.node);
          assert.ok(l.paramsAfter <= l.paramsBefore && l.flopsAfter <= l.flopsBefore, l.node);
        }
        report.groups.forEach((g, i) => {
          assert.equal(g.kept, keptCount(masks[i]));
          assert.equal(g.removed, g.channels - g.kept);
          assert.ok(g.removedIndices.every((u) => !masks[i][u]));
        });
        assert.equal(report.unitsAfter, masks.reduce((s, m) => s + keptCount(m), 0));
      }
    } finally {
      await verifier.release();
    }
    assert.equal(sha256(serializeModel(model)), sourceHash, 'the source Model object is unchanged');
  });

  test(`${name}: the all-ones mask gives the source model back`, async () => {
    const ref = loadReference(name);
    const model = readModelFile(fixturePath(name));
    const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
    const ones = d.groups.map((g) => new Array<boolean>(g.channels).fill(true));
    const { model: pruned, report } = pruneModel(model, d, ones);
    assert.equal(report.paramsAfter, report.paramsBefore);
    assert.equal(report.flopsAfter, report.flopsBefore);
    assert.equal(report.unitsAfter, report.unitsBefore);
    const bytes = serializeModel(pruned);
    assert.equal(bytes.length, serializeModel(model).length);
    assert.equal(sha256(bytes), sha256(serializeModel(model)));
    if (name !== 'resnet18') {
      // (Identical bytes make this certain; run the cheap fixtures anyway.)
      const a = await runModel(model, ref.input, undefined, { threads: 2 });
      const b = await runModel(pruned, ref.input, undefined, { threads: 2 });
      assert.ok(maxAbsDiff(a, b) === 0, `logits differ by ${maxAbsDiff(a, b)}`);
      assert.ok(maxAbsDiff(b, ref.logits.data) <= 1e-4);
    }
  });

  test(`${name}: a mask that removes every unit of a group is refused`, () => {
    const model = readModelFile(fixturePath(name));
    const d = discoverUnits(model.graph, inferShapes(model.graph, concreteInputShapes(model.graph)));
    const masks = randomMasks(d, 0.5, 7);
    const g = d.groups[d.groups.length - 1];
    masks[g.id] = new Uint8Array(g.channels);
    assert.throws(
      () => pruneModel(model, d, masks),
      (e: unknown) => {
        assert.ok(e instanceof PruneError);
        assert.equal(e.group, g.id);
        assert.ok(e.message.includes(`group ${g.id} (${g.label}`), e.message);
        for (const p of g.producers) assert.ok(e.message.includes(p), e.message);
        assert.match(e.message, /disconnected/);
        assert.match(e.message, /keep at least one unit/);
        return true;
      },
    );
    assert.throws(() => pruneModel(model, d, masks.slice(1)), /keep-masks were given but the model has/);
    assert.throws(() => pruneModel(model, d, [new Uint8Array(1), ...masks.slice(1)]), /mask of group 0 .* has 1 entries/);
  });
}
