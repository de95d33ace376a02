import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from '../../../src/core/onnx/proto';
import { parseModel, readModelFile } from '../../../src/core/onnx/reader';
import { serializeModel, writeFileAtomic } from '../../../src/core/onnx/writer';
import { floatTensor } from '../../../src/core/onnx/ir';
import { inferShapes, checkSupported } from '../../../src/core/onnx/shape-inference';
import { FIXTURE_MODELS, fixturePath } from '../../support/fixtures';
import { graphOf, modelOf, node, valueInfo } from '../../support/build-model';

const tiny = () =>
  modelOf(
    graphOf({
      nodes: [node('Gemm', ['x', 'w', 'b'], ['y'], { transB: { type: 'int', value: 1 } })],
      inputs: [valueInfo('x', ['batch', 3])],
      outputs: [valueInfo('y', ['batch', 2])],
      initializers: { w: floatTensor([2, 3], [1, 2, 3, 4, 5, 6]), b: floatTensor([2], [0.5, -0.5]) },
    }),
  );

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bise-reader-'));
}

test('reads every fixture with concrete shapes for a chosen batch size', () => {
  for (const name of FIXTURE_MODELS) {
    const m = readModelFile(fixturePath(name));
    checkSupported(m.graph);
    const input = m.graph.inputs[0];
    const dims = [5, ...(input.shape as number[]).slice(1)];
    const shapes = inferShapes(m.graph, new Map([[input.name, dims]]));
    assert.deepEqual(shapes.get(m.graph.outputs[0].name), [5, 10], name);
  }
});

test('write then read round-trips the IR, initializers included', () => {
  const m = tiny();
  const back = parseModel(serializeModel(m), 'tiny.onnx');
  assert.deepEqual([...back.graph.initializers.get('w')!.data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(back.graph.inputs[0].shape, ['batch', 3]);
  assert.equal(back.graph.nodes[0].attributes.transB.type, 'int');
});

test('errors name the file and the problem', () => {
  assert.throws(() => parseModel(new Uint8Array(), 'empty.onnx'), /empty\.onnx: is empty/);
  assert.throws(() => parseModel(Uint8Array.from([0xff, 0xff, 0xff, 0x07, 0x01]), 'junk.onnx'), /junk\.onnx: is not a valid ONNX protobuf/);
  const bytes = serializeModel(tiny());
  assert.throws(() => parseModel(bytes.subarray(0, bytes.length - 7), 'cut.onnx'), /cut\.onnx/);
  assert.throws(() => parseModel(serializeModel(modelOf(tiny().graph, 9)), 'old.onnx'), /old\.onnx: uses opset 9; opsets 11 to 21/);
  assert.throws(() => parseModel(serializeModel(modelOf(tiny().graph, 13, 2)), 'ir.onnx'), /IR version 2/);
  const unknownOp = modelOf(graphOf({ nodes: [node('Foo', ['x'], ['y'], {}, 'my_foo')], inputs: [valueInfo('x', [1])], outputs: [valueInfo('y', [1])] }));
  assert.throws(() => checkSupported(parseModel(serializeModel(unknownOp), 'foo.onnx').graph), /node 'my_foo' uses op 'Foo', which is not supported/);
  assert.throws(() => checkSupported(parseModel(serializeModel(unknownOp), 'foo.onnx').graph, 'models/foo.onnx'), /^OnnxModelError: models\/foo\.onnx: node 'my_foo': uses op 'Foo', which is not supported/);
});

test('structural problems are refused: cycles, dangling inputs, duplicate names, missing outputs', () => {
  const base = { inputs: [valueInfo('x', [1, 2])], outputs: [valueInfo('z', [1, 2])] };
  const cycle = graphOf({ ...base, nodes: [node('Relu', ['x2'], ['y'], {}, 'a'), node('Add', ['y', 'x'], ['x2'], {}, 'b'), node('Identity', ['y'], ['z'])] });
  assert.throws(() => parseModel(serializeModel(modelOf(cycle)), 'cycle.onnx'), /cycle through node/);
  const dangling = graphOf({ ...base, nodes: [node('Add', ['x', 'nowhere'], ['z'], {}, 'add')] });
  assert.throws(() => parseModel(serializeModel(modelOf(dangling)), 'd.onnx'), /node 'add': input 'nowhere' is produced by no node/);
  const dup = graphOf({ ...base, nodes: [node('Relu', ['x'], ['z'], {}, 'r1'), node('Relu', ['x'], ['z'], {}, 'r2')] });
  assert.throws(() => parseModel(serializeModel(modelOf(dup)), 'dup.onnx'), /'z' is defined twice/);
  const noOut = graphOf({ ...base, nodes: [node('Relu', ['x'], ['y'])] });
  assert.throws(() => parseModel(serializeModel(modelOf(noOut)), 'o.onnx'), /graph output 'z' is produced by no node/);
  const shuffled = graphOf({ ...base, nodes: [node('Relu', ['y'], ['z'], {}, 'second'), node('Relu', ['x'], ['y'], {}, 'first')] });
  assert.deepEqual(parseModel(serializeModel(modelOf(shuffled)), 's.onnx').graph.nodes.map((n) => n.name), ['first', 'second']);
});

test('absurd declared sizes are refused before allocation', () => {
  const proto = onnx.ModelProto.decode(serializeModel(tiny()));
  proto.graph!.initializer![0].dims = [1 << 20, 1 << 20];
  const bytes = onnx.ModelProto.encode(proto).finish();
  assert.throws(() => parseModel(bytes, 'huge.onnx'), /huge\.onnx: initializer 'w': declared shape \[1048576, 1048576\]/);
  const wrong = onnx.ModelProto.decode(serializeModel(tiny()));
  wrong.graph!.initializer![0].dims = [3, 3];
  assert.throws(() => parseModel(onnx.ModelProto.encode(wrong).finish(), 'short.onnx'), /holds 24 bytes of data but shape \[3, 3\]/);
});

function withExternal(location: string, length?: number): Uint8Array {
  const proto = onnx.ModelProto.decode(serializeModel(tiny()));
  const w = proto.graph!.initializer![0];
  w.rawData = new Uint8Array();
  w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  w.externalData = [{ key: 'location', value: location }, { key: 'offset', value: '0' }, ...(length ? [{ key: 'length', value: String(length) }] : [])];
  return onnx.ModelProto.encode(proto).finish();
}

test('external data is read only from inside the model folder', () => {
  const dir = tmpdir();
  fs.mkdirSync(path.join(dir, 'model'));
  fs.writeFileSync(path.join(dir, 'model', 'w.bin'), Buffer.from(new Float32Array([6, 5, 4, 3, 2, 1]).buffer));
  fs.writeFileSync(path.join(dir, 'secret.bin'), Buffer.alloc(24));
  const ok = path.join(dir, 'model', 'ok.onnx');
  fs.writeFileSync(ok, withExternal('w.bin'));
  assert.deepEqual([...readModelFile(ok).graph.initializers.get('w')!.data], [6, 5, 4, 3, 2, 1]);
  const cases: [string, RegExp][] = [
    ['../secret.bin', /leaves the model's folder/],
    [path.join(dir, 'secret.bin'), /is absolute/],
    ['missing.bin', /does not exist/],
  ];
  for (const [location, message] of cases) {
    const f = path.join(dir, 'model', 'bad.onnx');
    fs.writeFileSync(f, withExternal(location));
    assert.throws(() => readModelFile(f), message, location);
  }
  fs.writeFileSync(path.join(dir, 'model', 'short.bin'), Buffer.alloc(10));
  const short = path.join(dir, 'model', 'short.onnx');
  fs.writeFileSync(short, withExternal('short.bin'));
  assert.throws(() => readModelFile(short), /has only 10/);
  fs.symlinkSync(path.join(dir, 'secret.bin'), path.join(dir, 'model', 'link.bin'));
  const link = path.join(dir, 'model', 'link.onnx');
  fs.writeFileSync(link, withExternal('link.bin'));
  assert.throws(() => readModelFile(link), /link that leaves the model's folder/);
});

test('atomic writes never replace the protected source file', () => {
  const dir = tmpdir();
  const src = path.join(dir, 'model.onnx');
  fs.writeFileSync(src, 'original');
  assert.throws(() => writeFileAtomic(src, 'new', [src]), /refusing to overwrite the source file/);
  assert.equal(fs.readFileSync(src, 'utf8'), 'original');
  const out = path.join(dir, 'out.onnx');
  writeFileAtomic(out, 'written', [src]);
  assert.equal(fs.readFileSync(out, 'utf8'), 'written');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['model.onnx', 'out.onnx']);
});
