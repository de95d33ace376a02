/** Gradient checks for the data-movement rules: Flatten, Reshape, Transpose, Concat. */
import { test } from 'node:test';
import { intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { GraphBuilder } from '../../support/graph-builder';
import { gradCheckDraws } from '../../support/gradcheck';
import { factorise, randomShape } from '../../support/random-ops';

test('Flatten: dX is dY reshaped back, for any axis', async () => {
  await gradCheckDraws('Flatten', 6, (rng) => {
    const b = new GraphBuilder(rng);
    const rank = rng.int(1, 4);
    const axis = rng.int(-rank, rank);
    const x = b.input('x', randomShape(rng, rank));
    const y = b.op('Tanh', [b.op('Flatten', [x], { axis: intAttr(axis) })]);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `rank=${rank} axis=${axis}` };
  });
});

test('Reshape: dX is dY reshaped back (0 and −1 in the target shape)', async () => {
  await gradCheckDraws('Reshape', 6, (rng) => {
    const b = new GraphBuilder(rng);
    const dims = randomShape(rng, rng.int(1, 4));
    const total = dims.reduce((p, q) => p * q, 1);
    const target: number[] = factorise(rng, total, rng.int(1, 4));
    const inferred = rng.int(0, target.length - 1);
    if (rng.bool()) target[inferred] = -1;
    if (target.length > 1 && dims.length > 1 && target[0] === dims[0] && rng.bool()) target[0] = 0;
    const x = b.input('x', dims);
    const y = b.op('Sigmoid', [b.op('Reshape', [x, b.ints('shape', target)])]);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `[${dims}] -> [${target}]` };
  });
});

test('Transpose: dX is dY under the inverse permutation (default reverses)', async () => {
  await gradCheckDraws('Transpose', 6, (rng) => {
    const b = new GraphBuilder(rng);
    const rank = rng.int(1, 4);
    const perm = rng.bool(0.2) ? undefined : rng.shuffle(Array.from({ length: rank }, (_, i) => i));
    const x = b.input('x', randomShape(rng, rank));
    const y = b.op('Transpose', [x], perm ? { perm: intsAttr(perm) } : {});
    return { built: b.build([y]), seeds: [y], targets: [x], describe: `perm=${perm ?? 'default'}` };
  });
});

test('Concat: each input gets its slab along the axis (constants and repeated inputs included)', async () => {
  await gradCheckDraws('Concat', 8, (rng) => {
    const b = new GraphBuilder(rng);
    const rank = rng.int(1, 4);
    const base = randomShape(rng, rank, 3);
    const axis = rng.int(-rank, rank - 1);
    const along = (axis + rank) % rank;
    const parts = Array.from({ length: rng.int(1, 3) }, (_, i) => b.tensor(`x${i}`, base.map((d, a) => (a === along ? rng.int(1, 3) : d)), i > 0 && rng.bool(0.3)));
    const inputs = rng.bool(0.3) ? [...parts, parts[0]] : parts;
    const y = b.op('Concat', inputs, { axis: intAttr(axis) });
    const targets = parts.filter((p) => p.startsWith('x0') || !p.includes('x') || rng.bool(0.8));
    return { built: b.build([y]), seeds: [y], targets, describe: `axis=${axis} inputs=${inputs.join(',')}` };
  });
});
