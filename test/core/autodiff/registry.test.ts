/** The rule registry: the rules folder and ALL_RULES agree, and a node without a rule is a clear error. */
import { opDefinition } from '../../../src/core/ops/registry';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Graph, Node } from '../../../src/core/onnx/ir';
import { buildBackward } from '../../../src/core/autodiff/backward';
import { differentiableOps } from '../../../src/core/autodiff/registry';
import { GradientError } from '../../../src/core/autodiff/rule';
import { ALL_RULES } from '../../../src/core/autodiff/rules';

const RULES_DIR = path.join(__dirname, '../../../src/core/autodiff/rules');

function ruleFiles(): string[] {
  return fs
    .readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

test('every rule file appears exactly once in ALL_RULES, and every rule has its file', () => {
  const ops = ALL_RULES.map((r) => r.opType);
  for (const file of ruleFiles()) {
    assert.equal(ops.filter((op) => op === file).length, 1, `rules/${file}.ts should appear exactly once in ALL_RULES`);
  }
  assert.deepEqual([...ops].sort(), ruleFiles(), 'ALL_RULES and the rule files differ');
});

test('each rule file exports the rule for its own op, and ALL_RULES is sorted', async () => {
  for (const file of ruleFiles()) {
    const mod = (await import(path.join(RULES_DIR, `${file}.ts`))) as Record<string, { opType?: string }>;
    assert.equal(mod[file]?.opType, file, `rules/${file}.ts should export const ${file} with opType '${file}'`);
    assert.ok(ALL_RULES.includes(mod[file] as (typeof ALL_RULES)[number]), `ALL_RULES should hold the rule exported by rules/${file}.ts`);
  }
  const ops = ALL_RULES.map((r) => r.opType);
  assert.deepEqual(ops, [...ops].sort(), 'ALL_RULES should be sorted by op');
  assert.deepEqual(differentiableOps().filter((op) => !opDefinition(op)), [...ops].sort());
});

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
    [{ name: 'mystery_node', opType: 'Erf', domain: '', inputs: ['x'], outputs: ['y'], attributes: {} }, /'mystery_node' \(Erf\).*no gradient rule for op 'Erf'/],
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
    ...oneNodeGraph({ name: 'mystery_node', opType: 'Erf', domain: '', inputs: ['x'], outputs: ['unused'], attributes: {} }),
    nodes: [
      { name: 'mystery_node', opType: 'Erf', domain: '', inputs: ['x'], outputs: ['unused'], attributes: {} },
      { name: 'relu', opType: 'Relu', domain: '', inputs: ['x'], outputs: ['y'], attributes: {} },
    ],
  };
  const shapes = new Map([['x', [2, 3]], ['y', [2, 3]], ['unused', [2, 3]]]);
  const backward = buildBackward({ forward: graph, shapes, seeds: ['y'], targets: ['x'] });
  assert.ok(backward.graph.nodes.every((n) => n.opType !== 'Erf'));
});
