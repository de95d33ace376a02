/**
 * The worker's `describe-model` answer for the model view, on good and bad files: a model the engine can use (its
 * units and per-sample cost), one it cannot run (every node named, the rest still shown), one without units (cost
 * kept), and files that do not parse (an error naming the file). Every answer must pass the host's decoder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readModelFile } from '../../src/core/onnx/reader';
import { serializeModel } from '../../src/core/onnx/writer';
import { receive, workerToHostDecoder } from '../../src/protocol';
import type { ModelDescription } from '../../src/protocol/model-view';
import { describeForView } from '../../src/worker/describe-model';

const DEMO = path.join(__dirname, '../../models/biased-mnist-rho0.97-cnn.onnx');
const BAD = path.join(__dirname, '../fixtures/bad');

/** The worker's answer, as the host receives it (decoded; a malformed one fails the test). */
function answer(modelPath: string): { description: ModelDescription | null; error: string | null } {
  const m = receive(workerToHostDecoder, JSON.parse(JSON.stringify(describeForView(modelPath))), 'worker', (line) => assert.fail(line));
  assert.ok(m && m.type === 'model-description');
  return m;
}

function described(modelPath: string): ModelDescription {
  const { description, error } = answer(modelPath);
  assert.equal(error, null);
  assert.ok(description);
  return description;
}

test('the demo CNN: inputs and outputs with their dynamic axes, opset, producer, cost, and the 4 gated layers', () => {
  const d = described(DEMO);
  assert.equal(d.fileBytes, fs.statSync(DEMO).size);
  assert.deepEqual(d.inputs, [{ name: 'input', dtype: 'float32', shape: ['batch', 3, 28, 28] }]);
  assert.deepEqual(d.outputs, [{ name: 'logits', dtype: 'float32', shape: ['batch', 10] }]);
  assert.deepEqual(d.opsets, [{ domain: 'ai.onnx', version: 17 }]);
  assert.equal(d.producer.name, 'bise-vscode');
  assert.deepEqual(d.ops.map((o) => `${o.op}×${o.count}`), ['Conv×4', 'Relu×4', 'GlobalAveragePool×1', 'Flatten×1', 'Gemm×1']);
  assert.equal(d.problem, null);
  assert.deepEqual(d.unsupported, []);
  assert.ok(d.cost);
  assert.deepEqual(d.cost.inputs, [{ name: 'input', dims: [1, 3, 28, 28] }]);
  assert.equal(d.cost.flops, 2 * d.cost.multiplyAdds);
  assert.ok(d.units);
  assert.equal(d.units.classifier, 'fc');
  assert.deepEqual(
    d.units.groups.map((g) => [g.label, g.units]),
    [
      ['conv1', 16],
      ['conv2', 32],
      ['conv3', 64],
      ['conv4', 128],
    ],
  );
});

test('a model with ops the engine cannot run still shows its signature, and names every such node with its op and why', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bise-describe-'));
  try {
    // Two unsupported nodes: the fixture's Det, and a Relu moved to a custom domain.
    const model = readModelFile(path.join(BAD, 'model-unsupported-op/model.onnx'));
    const nodes = model.graph.nodes.map((n) => (n.opType === 'Relu' ? { ...n, domain: 'com.example' } : n));
    const file = path.join(dir, 'two.onnx');
    fs.writeFileSync(file, serializeModel({ ...model, opsetImports: [...model.opsetImports, { domain: 'com.example', version: 1 }], graph: { ...model.graph, nodes } }));
    const d = described(file);
    assert.deepEqual(
      d.unsupported.map((u) => [u.node, u.op]),
      [
        ['relu1', 'Det'],
        [nodes.find((n) => n.domain === 'com.example')!.name, 'com.example.Relu'],
      ],
    );
    assert.match(d.unsupported[0].reason, /^uses op 'Det', which is not supported$/);
    assert.match(d.problem ?? '', /^the engine cannot run 2 of its nodes: uses op 'Det'/);
    assert.equal(d.units, null);
    assert.equal(d.cost, null);
    assert.deepEqual(d.inputs, [{ name: 'input', dtype: 'float32', shape: ['batch', 3, 8, 8] }]);
    assert.ok(d.parameters > 0);
    assert.deepEqual(d.opsets.map((o) => o.domain), ['ai.onnx', 'com.example']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a model without prunable units keeps its FLOPs and says why BISE has nothing to gate', () => {
  const d = described(path.join(BAD, 'model-no-prunable-units/model.onnx'));
  assert.equal(d.units, null);
  assert.ok(d.cost && d.cost.flops > 0);
  assert.match(d.problem ?? '', /^no prunable units .* before the classifier 'fc'/);
});

test('a node whose shapes cannot be inferred is named in the problem', () => {
  const d = described(path.join(BAD, 'model-hostile-perm/model.onnx'));
  assert.equal(d.cost, null);
  assert.match(d.problem ?? '', /^node 'relu1' \(Transpose\): perm \[0, 1, 1, 7\] is not a permutation/);
});

test('files that do not parse are an error naming the file and what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['model-truncated', /is not a valid ONNX protobuf .*truncated/],
    ['model-empty', /is empty, not an ONNX model/],
    ['model-text-file', /is not a valid ONNX protobuf/],
    ['model-opset-too-new', /uses opset 99/],
  ];
  for (const [id, problem] of cases) {
    const file = path.join(BAD, id, 'model.onnx');
    const { description, error } = answer(file);
    assert.equal(description, null, id);
    assert.ok(error?.startsWith(`${file}: `), `${id} names the file: ${error}`);
    assert.match(error ?? '', problem, id);
  }
  assert.match(answer(path.join(BAD, 'no-such-model.onnx')).error ?? '', /no-such-model\.onnx: cannot be read \(ENOENT\)/);
});
