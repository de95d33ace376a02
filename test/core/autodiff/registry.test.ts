/**
 * Looking up gradient rules: a node without one is a clear error naming the op and the node (the rules themselves
 * live in src/core/ops/defs; test/core/ops/registry.test.ts checks that folder).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Graph, Node } from '../../../src/core/onnx/ir';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { GradientError } from '../../../src/core/autodiff/rule';

function oneNodeGraph(node: Node): Graph {
  return {
    name: 'g',
    nodes: [node],
    inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [2, 3] }],
    initializers: new Map(),
    valueInfo: new Map(),
  };
}

test('a node with no rule is a GradientError naming the op and the node', () => {
  const shapes = new Map([['x', [2, 3]], ['y', [2, 3]]]);
  const cases: Array<[Node, RegExp]> = [
    [{ name: 'mystery_node', opType: 'Det', domain: '', inputs: ['x'], outputs: ['y'], attributes: {} }, /'mystery_node' \(Det\).*no gradient rule for op 'Det'/],
    [{ name: 'custom_relu', opType: 'Relu', domain: 'com.example', inputs: ['x'], outputs: ['y'], attributes: {} }, /'custom_relu' \(Relu\)/],
  ];
  for (const [node, pattern] of cases) {
    assert.throws(
      () => buildBackward({ forward: oneNodeGraph(node), shapes, seeds: ['y'], targets: ['x'] }),
      (e: unknown) => e instanceof GradientError && pattern.test(e.message),
    );
  }
});

test('a node off the path from targets to seeds needs no rule', () => {
  const graph: Graph = {
    ...oneNodeGraph({ name: 'mystery_node', opType: 'Det', domain: '', inputs: ['x'], outputs: ['unused'], attributes: {} }),
    nodes: [
      { name: 'mystery_node', opType: 'Det', domain: '', inputs: ['x'], outputs: ['unused'], attributes: {} },
      { name: 'relu', opType: 'Relu', domain: '', inputs: ['x'], outputs: ['y'], attributes: {} },
    ],
  };
  const shapes = new Map([['x', [2, 3]], ['y', [2, 3]], ['unused', [2, 3]]]);
  const backward = buildBackward({ forward: graph, shapes, seeds: ['y'], targets: ['x'] });
  assert.ok(backward.graph.nodes.every((n) => n.opType !== 'Det'));
});
