/**
 * The op registry: the defs folder and ALL_OPS agree, every op states each of its four facets (shape, gradient,
 * channel rule, reference kernel) or says why it has none, and the consumers (shape inference, autodiff,
 * pruning, the reference interpreter) find ops through it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_OPS } from '../../../src/core/ops/index';
import { OpDefinition, isUnsupported } from '../../../src/core/ops/op';
import { modelOps, opDefinition } from '../../../src/core/ops/registry';
import { SUPPORTED_OPS } from '../../../src/core/onnx/shape-inference';
import { differentiableOps, ruleFor } from '../../../src/core/autodiff/registry';
import { GradientError } from '../../../src/core/autodiff/rule';
import { prunableOps } from '../../../src/core/prune/prune';
import { Node } from '../../../src/core/onnx/ir';

const DEFS_DIR = path.join(__dirname, '../../../src/core/ops/defs');

function defFiles(): string[] {
  return fs
    .readdirSync(DEFS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

test('every defs file appears exactly once in ALL_OPS, sorted, and exports the op of its own name', async () => {
  const ops = ALL_OPS.map((op) => op.opType);
  assert.deepEqual([...ops].sort(), defFiles(), 'ALL_OPS and the files in src/core/ops/defs differ');
  assert.deepEqual(ops, [...ops].sort(), 'ALL_OPS should be sorted by op');
  assert.equal(new Set(ops).size, ops.length, 'an op is listed twice');
  for (const file of defFiles()) {
    const mod = (await import(path.join(DEFS_DIR, `${file}.ts`))) as Record<string, OpDefinition | undefined>;
    assert.equal(mod[file]?.opType, file, `defs/${file}.ts should export const ${file} with opType '${file}'`);
    assert.ok(ALL_OPS.includes(mod[file] as OpDefinition), `ALL_OPS should hold the op exported by defs/${file}.ts`);
  }
});

test('every op has each facet or a reason, in words a user can act on', () => {
  for (const op of ALL_OPS) {
    assert.equal(typeof op.shape, 'function', `${op.opType}: shape rule`);
    const [min, max] = op.signature.inputs;
    assert.ok(Number.isInteger(min) && min >= 0 && max >= min, `${op.opType}: input counts [${min}, ${max}]`);
    for (const [facet, value] of [
      ['gradient', op.gradient],
      ['prune', op.prune],
      ['reference', op.reference],
    ] as const) {
      if (isUnsupported(value)) assert.ok(value.unsupported.length >= 20, `${op.opType}.${facet}: the reason should be a sentence, got '${value.unsupported}'`);
      else assert.ok(typeof value === 'function' || typeof value === 'object', `${op.opType}.${facet}`);
    }
    // A model's op must at least run in the reference interpreter (the FD checks and the shape folding use it).
    if (op.scope === 'model') assert.ok(!isUnsupported(op.reference), `${op.opType}: a model op needs a reference kernel`);
  }
});

test('the consumers read the registry: supported at load, differentiable and prunable as the definitions say', () => {
  for (const op of ALL_OPS) {
    assert.equal(opDefinition(op.opType), op);
    assert.equal(opDefinition(op.opType, 'com.microsoft'), undefined, 'other domains are not the default one');
    assert.equal(SUPPORTED_OPS.includes(op.opType), op.scope === 'model', `${op.opType}: supported at load`);
    assert.equal(modelOps().includes(op.opType), op.scope === 'model');
    assert.equal(differentiableOps().includes(op.opType), !isUnsupported(op.gradient), `${op.opType}: differentiable`);
    if (op.scope === 'model') assert.equal(prunableOps().includes(op.opType), !isUnsupported(op.prune), `${op.opType}: prunable`);
    const node: Node = { name: `n_${op.opType}`, opType: op.opType, domain: '', inputs: [], outputs: [], attributes: {} };
    if (isUnsupported(op.gradient)) {
      assert.throws(() => ruleFor(node), (e: unknown) => e instanceof GradientError && e.message.includes(`n_${op.opType}`) && e.message.includes(op.opType));
    } else assert.equal(ruleFor(node).opType, op.opType);
  }
});
