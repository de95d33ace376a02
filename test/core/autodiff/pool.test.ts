/**
 * Gradient checks for MaxPool (through its Indices output; stride, pads, dilations, ceil_mode), AveragePool
 * (pads, count_include_pad, ceil_mode incl. windows that stick out past the padded input) and
 * GlobalAveragePool. MaxPool inputs are distinct and well separated so no maximum ties under finite differences.
 */
import { test } from 'node:test';
import { intAttr, intsAttr } from '../../../src/core/onnx/ir';
import { GraphBuilder } from '../../support/graph-builder';
import { gradCheckDraws } from '../../support/gradcheck';
import { distinct } from '../../support/random';
import { randomPool, randomShape } from '../../support/random-ops';

test('MaxPool: dY scattered to the selected inputs', async () => {
  await gradCheckDraws('MaxPool', 10, (rng) => {
    const c = randomPool(rng, 'MaxPool');
    const b = new GraphBuilder(rng);
    const x = b.input('x', c.x, distinct());
    const [y] = b.node('MaxPool', [x], c.attrs, 2);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: c.describe };
  });
});

test('MaxPool: a per-channel gate in front gets its gradient through the pool', async () => {
  await gradCheckDraws('MaxPool gated', 2, (rng) => {
    const c = randomPool(rng, 'MaxPool');
    const b = new GraphBuilder(rng);
    const x = b.input('x', c.x, distinct());
    const gate = b.input('gate', [1, c.x[1], ...c.x.slice(2).map(() => 1)], () => Array.from({ length: c.x[1] }, (_, i) => 1 + 0.25 * i));
    const [y] = b.node('MaxPool', [b.op('Mul', [x, gate])], c.attrs, 2);
    return { built: b.build([y]), seeds: [y], targets: [x, gate], describe: c.describe };
  });
});

test('AveragePool: dY / divisor spread over each window', async () => {
  await gradCheckDraws('AveragePool', 12, (rng) => {
    const c = randomPool(rng, 'AveragePool');
    const b = new GraphBuilder(rng);
    const x = b.input('x', c.x);
    const y = b.op('AveragePool', [x], c.attrs);
    return { built: b.build([y]), seeds: [y], targets: [x], describe: c.describe };
  });
});

test('AveragePool: ceil_mode windows that stick out past the padded input, with and without count_include_pad', async () => {
  for (const countIncludePad of [0, 1]) {
    await gradCheckDraws(`AveragePool ceil count_include_pad=${countIncludePad}`, 1, (rng) => {
      const b = new GraphBuilder(rng);
      const x = b.input('x', [2, 2, 4, 5]);
      const attrs = { kernel_shape: intsAttr([3, 3]), strides: intsAttr([2, 2]), pads: intsAttr([1, 1, 1, 0]), ceil_mode: intAttr(1), count_include_pad: intAttr(countIncludePad) };
      const y = b.op('AveragePool', [x], attrs);
      return { built: b.build([y]), seeds: [y], targets: [x] };
    });
  }
});

test('GlobalAveragePool: dY / area, broadcast over the spatial axes', async () => {
  await gradCheckDraws('GlobalAveragePool', 4, (rng) => {
    const b = new GraphBuilder(rng);
    const x = b.input('x', randomShape(rng, rng.int(3, 5)));
    const y = b.op('GlobalAveragePool', [x]);
    return { built: b.build([y]), seeds: [y], targets: [x] };
  });
});

test('GlobalAveragePool: its spatially constant gradient feeds a gate Mul and a residual Add', async () => {
  await gradCheckDraws('GlobalAveragePool chain', 3, (rng) => {
    const b = new GraphBuilder(rng);
    const dims = randomShape(rng, 4);
    const x = b.input('x', dims);
    const gate = b.input('gate', [1, dims[1], 1, 1]);
    const gated = b.op('Mul', [x, gate]);
    const y = b.op('GlobalAveragePool', [b.op('Add', [gated, x])]);
    return { built: b.build([y]), seeds: [y], targets: [x, gate] };
  });
});
