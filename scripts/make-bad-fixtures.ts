/**
 * Generates test/fixtures/bad/: one folder per hostile or broken input (models, .npy folders, image CSVs, IDX
 * files, mask files) and cases.json, the manifest test/bad-inputs reads: for each case the `bise` command line,
 * the job the extension's worker gets, and the fragments the error message must contain (the file and the
 * problem). Deterministic: rerunning gives byte-identical files.
 *
 *     node --import tsx scripts/make-bad-fixtures.ts
 *
 * Placeholders in the manifest: {case} is the case's folder (the tests run on a copy of it), {out} an output
 * folder that must not exist afterwards.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from '../src/core/onnx/proto';
import { graphToProto, serializeModel } from '../src/core/onnx/writer';
import { buildSmallCnn } from '../src/core/models/small-cnn';
import { createRng } from '../src/core/data/random';
import { npyBytes, npyFromHeader, npyHeaderText } from '../test/support/npy-writer';
import { pngBytes, rgbaImage } from '../test/support/images';

const OUT = path.join(__dirname, '..', 'test', 'fixtures', 'bad');

/** What the worker is asked to run for a case: the tiny model (or the case's) on this data. */
type WorkerData = { kind: 'biased-mnist' } | { kind: 'npy-folder'; folder: string } | { kind: 'image-csv'; csv: string };

interface BadCase {
  readonly id: string;
  readonly summary: string;
  readonly files: Record<string, Uint8Array | string>;
  readonly argv: readonly string[];
  /** Fragments the error must contain: the file's name first, then the problem. */
  readonly expect: readonly string[];
  /** The extension's worker gets the same input through an extract job; null when the extension cannot take it. */
  readonly worker: { readonly model: string; readonly data: WorkerData } | null;
  readonly workerSkip?: string;
}

// ---------------------------------------------------------------- the tiny valid model everything starts from

const H = 8;
const CLASSES = 3;
const TINY = buildSmallCnn({
  inputChannels: 3,
  height: H,
  width: H,
  blocks: [
    { channels: 4, kernel: 3, stride: 1 },
    { channels: 4, kernel: 3, stride: 1 },
  ],
  classes: CLASSES,
  seed: 7,
});
const TINY_BYTES = serializeModel(TINY);

/** The tiny model as a plain protobuf object, to be broken field by field. */
function tinyProto(): onnx.IModelProto {
  return {
    irVersion: TINY.irVersion,
    opsetImport: TINY.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producerName: 'make-bad-fixtures',
    producerVersion: '1',
    graph: graphToProto(TINY.graph),
  };
}

function encode(m: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(m).finish();
}

function graphOf(m: onnx.IModelProto): onnx.IGraphProto {
  return m.graph as onnx.IGraphProto;
}

function initializer(m: onnx.IModelProto, name: string): onnx.ITensorProto {
  const t = (graphOf(m).initializer ?? []).find((i) => i.name === name);
  if (!t) throw new Error(`no initializer ${name}`);
  return t;
}

function nodeNamed(m: onnx.IModelProto, name: string): onnx.INodeProto {
  const n = (graphOf(m).node ?? []).find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
}

function mutated(change: (m: onnx.IModelProto) => void): Uint8Array {
  const m = tinyProto();
  change(m);
  return encode(m);
}

function float32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** An int64 initializer (shapes, axes, indices); dims [] for a scalar. */
function int64Initializer(name: string, values: readonly number[], dims: readonly number[] = [values.length]): onnx.ITensorProto {
  return { name, dataType: onnx.TensorProto.DataType.INT64, dims: [...dims], rawData: new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer) };
}

/** Node `name` replaced by `nodes` (the last one should produce its output), with the int64 constants they read. */
function replacedBy(name: string, nodes: onnx.INodeProto[], constants: onnx.ITensorProto[]): Uint8Array {
  return mutated((m) => {
    const g = graphOf(m);
    const at = (g.node ?? []).findIndex((n) => n.name === name);
    if (at < 0) throw new Error(`no node ${name}`);
    g.node = [...(g.node ?? []).slice(0, at), ...nodes, ...(g.node ?? []).slice(at + 1)];
    g.initializer = [...(g.initializer ?? []), ...constants];
  });
}

/** flatten as PyTorch exports view(x.size(0), rest): Shape → Gather(index) → Unsqueeze → Concat(·, rest) → Reshape. */
function exportedView(index: number, rest: number): Uint8Array {
  return replacedBy(
    'flatten',
    [
      { name: 'flatten.shape', opType: 'Shape', input: ['pooled'], output: ['flatten.shape.out'] },
      { name: 'flatten.size0', opType: 'Gather', input: ['flatten.shape.out', 'flatten.index'], output: ['flatten.size0.out'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
      { name: 'flatten.batch', opType: 'Unsqueeze', input: ['flatten.size0.out', 'flatten.axes'], output: ['flatten.batch.out'] },
      { name: 'flatten.target', opType: 'Concat', input: ['flatten.batch.out', 'flatten.rest'], output: ['flatten.target.out'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] },
      { name: 'flatten', opType: 'Reshape', input: ['pooled', 'flatten.target.out'], output: ['features'] },
    ],
    [int64Initializer('flatten.index', [index], []), int64Initializer('flatten.axes', [0]), int64Initializer('flatten.rest', [rest])],
  );
}

/** conv1.bias (4 floats) moved to external data with these key/value entries. */
function externalBias(entries: Record<string, string>): Uint8Array {
  return mutated((m) => {
    const t = initializer(m, 'conv1.bias');
    t.rawData = new Uint8Array();
    t.dataLocation = EXTERNAL;
    t.externalData = Object.entries(entries).map(([key, value]) => ({ key, value }));
  });
}

// ---------------------------------------------------------------- datasets for the tiny model

const N = 12;

function labels(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

function pixels(n: number, seed: number, size = H): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n * 3 * size * size }, () => Math.floor(rng.nextFloat() * 256));
}

interface NpySplit {
  x?: Uint8Array;
  y?: Uint8Array;
  b?: Uint8Array;
}

function goodSplit(n: number, seed: number): Required<NpySplit> {
  return {
    x: npyBytes({ descr: '|u1', shape: [n, 3, H, H], data: pixels(n, seed) }),
    y: npyBytes({ descr: '<i8', shape: [n], data: labels(n, (i) => i % CLASSES) }),
    b: npyBytes({ descr: '<i8', shape: [n], data: labels(n, (i) => Math.floor(i / 2) % 2) }),
  };
}

/** A .npy folder (train, test; val carved out of train) with `change` applied to the good arrays. */
function npyFolder(change: (splits: { train: NpySplit; test: NpySplit }) => void): Record<string, Uint8Array> {
  const splits = { train: goodSplit(N, 1) as NpySplit, test: goodSplit(6, 2) as NpySplit };
  change(splits);
  const files: Record<string, Uint8Array> = {};
  for (const [split, arrays] of Object.entries(splits)) {
    for (const [key, bytes] of Object.entries(arrays)) if (bytes) files[`data/${key}_${split}.npy`] = bytes;
  }
  return files;
}

function png(seed: number, size = H): Buffer {
  const rng = createRng(seed);
  return pngBytes(size, size, rgbaImage(size, size, () => [Math.floor(rng.nextFloat() * 256), Math.floor(rng.nextFloat() * 256), Math.floor(rng.nextFloat() * 256)]));
}

/** An image CSV with `rows` rows of path,label,bias (+ the images it names, 8×8 PNGs). */
function imageCsv(header: string, row: (i: number) => string, images = 10): Record<string, Uint8Array | string> {
  const files: Record<string, Uint8Array | string> = {};
  for (let i = 0; i < images; i++) files[`images/${i}.png`] = png(100 + i);
  const lines = [header, ...Array.from({ length: images }, (_, i) => row(i))];
  files['data.csv'] = lines.join('\n') + '\n';
  return files;
}

const goodRow = (i: number): string => `images/${i}.png,${i % CLASSES},${Math.floor(i / 2) % 2}`;

function idx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

// ---------------------------------------------------------------- the cases

const MODEL = { 'model.onnx': TINY_BYTES };

/** `bise extract` on the case's model with the built-in data; the failure must come before anything is written. */
function modelCase(id: string, summary: string, model: Uint8Array | string, expect: readonly string[], extra: Record<string, Uint8Array | string> = {}): BadCase {
  return {
    id,
    summary,
    files: { 'model.onnx': model, ...extra },
    argv: ['extract', '{case}/model.onnx', '--out', '{out}', '--train-size', '200', '--val-size', '50', '--test-size', '50'],
    expect: ['model.onnx', ...expect],
    worker: { model: '{case}/model.onnx', data: { kind: 'biased-mnist' } },
  };
}

function npyCase(id: string, summary: string, file: string, expect: readonly string[], change: Parameters<typeof npyFolder>[0]): BadCase {
  return {
    id,
    summary,
    files: { ...MODEL, ...npyFolder(change) },
    argv: ['extract', '{case}/model.onnx', '--data', '{case}/data', '--out', '{out}'],
    expect: [file, ...expect],
    worker: { model: '{case}/model.onnx', data: { kind: 'npy-folder', folder: '{case}/data' } },
  };
}

function csvCase(id: string, summary: string, files: Record<string, Uint8Array | string>, expect: readonly string[], file = 'data.csv'): BadCase {
  return {
    id,
    summary,
    files: { ...MODEL, ...files },
    argv: ['extract', '{case}/model.onnx', '--data', '{case}/data.csv', '--out', '{out}'],
    expect: [file, ...expect],
    worker: { model: '{case}/model.onnx', data: { kind: 'image-csv', csv: '{case}/data.csv' } },
  };
}

function idxCase(id: string, summary: string, images: Uint8Array, labelsFile: Uint8Array, file: string, expect: readonly string[]): BadCase {
  return {
    id,
    summary,
    files: { ...MODEL, 'images.idx': images, 'labels.idx': labelsFile },
    argv: ['extract', '{case}/model.onnx', '--mnist-images', '{case}/images.idx', '--mnist-labels', '{case}/labels.idx', '--out', '{out}'],
    expect: [file, ...expect],
    worker: null,
    workerSkip: 'the extension offers the bundled digits, not IDX files',
  };
}

const random = createRng(2024);
const randomBytes = Uint8Array.from({ length: 2048 }, () => Math.floor(random.nextFloat() * 256));
const big = (n: number): string => String(n);

const CASES: BadCase[] = [
  // ---- model files
  modelCase('model-empty', 'a zero-byte .onnx file', new Uint8Array(), ['is empty, not an ONNX model']),
  modelCase('model-truncated', 'the tiny model cut in half', TINY_BYTES.subarray(0, Math.floor(TINY_BYTES.length / 2)), ['is not a valid ONNX protobuf', 'truncated']),
  modelCase('model-random-bytes', '2 KiB of seeded random bytes', randomBytes, ['is not a valid ONNX protobuf']),
  modelCase('model-text-file', 'a text file named .onnx', 'this is not an ONNX model, it is a README\n', ['is not a valid ONNX protobuf']),
  modelCase('model-ir-version-too-new', 'IR version 99', mutated((m) => (m.irVersion = 99)), ['has IR version 99', 'versions 3 to 11 are supported']),
  modelCase('model-ir-version-too-old', 'IR version 2', mutated((m) => (m.irVersion = 2)), ['has IR version 2']),
  modelCase('model-opset-too-old', 'default opset 7', mutated((m) => (m.opsetImport = [{ domain: '', version: 7 }])), ['uses opset 7', 'opsets 11 to 21 are supported']),
  modelCase('model-opset-too-new', 'default opset 99', mutated((m) => (m.opsetImport = [{ domain: '', version: 99 }])), ['uses opset 99']),
  modelCase('model-no-default-opset', 'only a custom domain is imported', mutated((m) => (m.opsetImport = [{ domain: 'com.example', version: 1 }])), ['imports no default ONNX opset']),
  modelCase('model-unsupported-op', 'relu1 is a Det', mutated((m) => (nodeNamed(m, 'relu1').opType = 'Det')), ["node 'relu1'", "uses op 'Det', which is not supported"]),
  modelCase('model-custom-domain-op', 'relu1 is an op from a custom domain', mutated((m) => (nodeNamed(m, 'relu1').domain = 'com.example')), ["node 'relu1'", "uses op 'com.example.Relu'"]),
  modelCase('model-cycle', 'conv2 reads the output of relu2, which reads conv2', mutated((m) => (nodeNamed(m, 'conv2').input = ['relu2.out', 'conv2.weight', 'conv2.bias'])), ['the graph has a cycle through node']),
  modelCase('model-dangling-input', 'relu2 reads a tensor nothing produces', mutated((m) => (nodeNamed(m, 'relu2').input = ['ghost'])), ["node 'relu2'", "input 'ghost' is produced by no node"]),
  modelCase('model-duplicate-tensor-name', 'relu1 and relu2 both produce relu1.out', mutated((m) => (nodeNamed(m, 'relu2').output = ['relu1.out'])), ["tensor 'relu1.out' is defined twice"]),
  modelCase('model-duplicate-initializer', 'two initializers named conv1.bias', mutated((m) => graphOf(m).initializer!.push({ ...initializer(m, 'conv1.bias') })), ["has two initializers named 'conv1.bias'"]),
  modelCase(
    'model-initializer-shape-mismatch',
    'graph.input declares conv1.weight as [5, 3, 3, 3]; the data is [4, 3, 3, 3]',
    mutated((m) => graphOf(m).input!.push({ name: 'conv1.weight', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [5, 3, 3, 3].map((d) => ({ dimValue: d })) } } } })),
    ["initializer 'conv1.weight' has shape [4, 3, 3, 3] but the graph declares [5, 3, 3, 3]"],
  ),
  modelCase('model-raw-data-too-short', 'conv1.weight holds 8 bytes for 108 floats', mutated((m) => (initializer(m, 'conv1.weight').rawData = new Uint8Array(8))), ["initializer 'conv1.weight'", 'holds 8 bytes of data but shape [4, 3, 3, 3] of float32 needs 432']),
  modelCase('model-nan-weights', 'conv2.weight holds a NaN', mutated((m) => {
    const t = initializer(m, 'conv2.weight');
    const values = new Float32Array(new Uint8Array(t.rawData as Uint8Array).buffer);
    values[5] = Number.NaN;
    t.rawData = new Uint8Array(values.buffer);
  }), ["initializer 'conv2.weight'", 'NaN at flat index 5']),
  modelCase('model-inf-weights', 'fc.weight holds +Infinity', mutated((m) => {
    const t = initializer(m, 'fc.weight');
    const values = new Float32Array(new Uint8Array(t.rawData as Uint8Array).buffer);
    values[0] = Number.POSITIVE_INFINITY;
    t.rawData = new Uint8Array(values.buffer);
  }), ["initializer 'fc.weight'", 'Infinity at flat index 0']),
  modelCase('model-absurd-dims', 'conv1.bias declares [2^20, 2^20] = 2^40 elements', mutated((m) => (initializer(m, 'conv1.bias').dims = [2 ** 20, 2 ** 20])), ["initializer 'conv1.bias'", 'has 1099511627776 elements, more than']),
  modelCase('model-huge-tensor-without-data', 'conv1.bias declares 2^30 floats in float_data but holds none', mutated((m) => {
    const t = initializer(m, 'conv1.bias');
    t.dims = [2 ** 30];
    t.rawData = new Uint8Array();
    t.floatData = [];
  }), ["initializer 'conv1.bias'", 'holds 0 values but shape [1073741824] needs 1073741824']),
  modelCase('model-negative-dim', 'conv1.bias declares dimension -4', mutated((m) => (initializer(m, 'conv1.bias').dims = [-4])), ["initializer 'conv1.bias'", 'invalid dimension -4']),
  modelCase('model-string-initializer', 'conv1.bias is a STRING tensor', mutated((m) => {
    const t = initializer(m, 'conv1.bias');
    t.dataType = onnx.TensorProto.DataType.STRING;
    t.rawData = new Uint8Array();
    t.stringData = [new TextEncoder().encode('a'), new TextEncoder().encode('b'), new TextEncoder().encode('c'), new TextEncoder().encode('d')];
  }), ["initializer 'conv1.bias'", 'data type STRING is not supported']),
  modelCase('model-sequence-input', 'the graph input is a sequence, not a tensor', mutated((m) => (graphOf(m).input = [{ name: 'input', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } }])), ["value 'input' is not a tensor"]),
  modelCase('model-no-graph-input', 'every graph input is an initializer', mutated((m) => (graphOf(m).input = [])), ['has no graph input to feed data into']),
  modelCase('model-subgraph-attribute', 'relu1 carries a GRAPH attribute', mutated((m) => (nodeNamed(m, 'relu1').attribute = [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: { name: 'g' } }])), ["node 'relu1'", 'subgraphs are not supported']),
  modelCase('model-hostile-axis', 'relu1 becomes a Concat along axis 2^31 − 1 (once made the shape inference grow an array until the heap ran out)', mutated((m) => {
    const n = nodeNamed(m, 'relu1');
    n.opType = 'Concat';
    n.attribute = [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 2 ** 31 - 1 }];
  }), ["node 'relu1' (Concat): axis 2147483647 is out of range"]),
  modelCase('model-hostile-perm', 'relu1 becomes a Transpose with perm [0, 1, 1, 7]', mutated((m) => {
    const n = nodeNamed(m, 'relu1');
    n.opType = 'Transpose';
    n.attribute = [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 1, 1, 7] }];
  }), ["node 'relu1' (Transpose): perm [0, 1, 1, 7] is not a permutation of the 4 axes"]),
  modelCase('model-conv-weight-mismatch', 'conv2.weight expects 5 input channels; conv1 produces 4', mutated((m) => {
    const t = initializer(m, 'conv2.weight');
    t.dims = [4, 5, 3, 3];
    t.rawData = new Uint8Array(4 * 4 * 5 * 9);
  }), ["node 'conv2' (Conv): weight [4, 5, 3, 3] (group 1) does not fit input [2, 4, 8, 8]"]),
  modelCase('model-wrong-input-count', 'relu2 has two inputs', mutated((m) => (nodeNamed(m, 'relu2').input = ['conv2.out', 'conv2.bias'])), ["node 'relu2'", 'a Relu takes 1 input and one output; this one has 2 inputs and 1 output']),
  modelCase('model-flag-out-of-range', "fc's transB is 17 (a flag: 0 or 1)", mutated((m) => (nodeNamed(m, 'fc').attribute = [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 17 }])), ["node 'fc'", "attribute 'transB' should be 0 or 1, found 17"]),
  modelCase('model-attribute-wrong-type', "conv1's strides is a string", mutated((m) => {
    const n = nodeNamed(m, 'conv1');
    n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== 'strides'), { name: 'strides', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('1,1') }];
  }), ["node 'conv1'", "attribute 'strides' should be ints, found string"]),
  modelCase('model-extra-output', 'relu1 declares a second output', mutated((m) => (nodeNamed(m, 'relu1').output = ['relu1.out', 'relu1.extra'])), ["node 'relu1'", 'a Relu takes 1 input and one output; this one has 1 input and 2 outputs']),
  modelCase('model-batch-mixing', 'flatten folds the batch axis into the features (axis 0)', mutated((m) => (nodeNamed(m, 'flatten').attribute = [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }])), ["node 'fc' (Gemm): A [1, 8] and B [3, 4]", 'do not multiply']),
  modelCase('model-external-absolute', "conv1.bias's external data is at /etc/passwd", externalBias({ location: '/etc/passwd' }), ["external data location '/etc/passwd' is absolute"]),
  modelCase('model-external-escapes', "conv1.bias's external data is at ../../secret.bin", externalBias({ location: '../../secret.bin' }), ["external data location '../../secret.bin' leaves the model's folder"]),
  modelCase('model-external-missing', "conv1.bias's external data file is not there", externalBias({ location: 'weights.bin' }), ["external data file 'weights.bin' does not exist next to the model"]),
  modelCase('model-external-short', "conv1.bias's external data file has 8 of 16 bytes", externalBias({ location: 'weights.bin' }), ["external data wants bytes 0..16 of 'weights.bin', which has only 8"], { 'weights.bin': float32Bytes([1, 2]) }),
  modelCase('model-external-bad-offset', "conv1.bias's external offset is not a number", externalBias({ location: 'weights.bin', offset: 'lots' }), ["external data offset 'lots' is not a valid byte offset"], { 'weights.bin': float32Bytes([1, 2, 3, 4]) }),
  modelCase('model-external-huge-length', "conv1.bias's external length is 2^50 bytes", externalBias({ location: 'weights.bin', length: big(2 ** 50) }), ['external data length 1125899906842624 does not match the 16 bytes its shape needs'], { 'weights.bin': float32Bytes([1, 2, 3, 4]) }),
  modelCase('model-no-classifier-head', 'the logits come from a Conv, not a Gemm/MatMul', mutated((m) => {
    const g = graphOf(m);
    g.node = (g.node ?? []).filter((n) => n.name !== 'fc');
    g.output = [{ name: 'features', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 4 }] } } } }];
  }), ['no classifier head found']),
  // ---- shape arithmetic asking for absurd sizes (refused by shape inference before anything is allocated)
  modelCase('model-hostile-range', 'flatten becomes a Reshape to Range(0, 2^40, 1): a computed shape of 2^40 entries', replacedBy('flatten', [
    { name: 'flatten.range', opType: 'Range', input: ['flatten.start', 'flatten.limit', 'flatten.delta'], output: ['flatten.range.out'] },
    { name: 'flatten', opType: 'Reshape', input: ['pooled', 'flatten.range.out'], output: ['features'] },
  ], [int64Initializer('flatten.start', [0], []), int64Initializer('flatten.limit', [2 ** 40], []), int64Initializer('flatten.delta', [1], [])]), [
    "node 'flatten.range' (Range): output 0 would have shape [1099511627776]",
    'more than the 268435456 this model may ask for',
  ]),
  modelCase('model-hostile-constant-of-shape', 'relu1 adds ConstantOfShape([2^20, 2^20]) to conv1: 2^40 zeros', replacedBy('relu1', [
    { name: 'relu1.zeros', opType: 'ConstantOfShape', input: ['relu1.shape'], output: ['relu1.zeros.out'] },
    { name: 'relu1', opType: 'Add', input: ['conv1.out', 'relu1.zeros.out'], output: ['relu1.out'] },
  ], [int64Initializer('relu1.shape', [2 ** 20, 2 ** 20])]), ["node 'relu1.zeros' (ConstantOfShape): output 0 would have shape [1048576, 1048576], 1099511627776 elements"]),
  modelCase('model-hostile-expand', 'relu1 becomes an Expand of conv1 to [2^24, 1, 1, 1, 1] (2^33 elements)', replacedBy('relu1', [
    { name: 'relu1', opType: 'Expand', input: ['conv1.out', 'relu1.shape'], output: ['relu1.out'] },
  ], [int64Initializer('relu1.shape', [2 ** 24, 1, 1, 1, 1])]), ["node 'relu1' (Expand): output 0 would have shape [16777216, 2, 4, 8, 8]", 'more than the 268435456']),
  modelCase('model-hostile-tile', 'relu1 becomes a Tile of conv1 by [1, 1, 2^20, 2^20]', replacedBy('relu1', [
    { name: 'relu1', opType: 'Tile', input: ['conv1.out', 'relu1.repeats'], output: ['relu1.out'] },
  ], [int64Initializer('relu1.repeats', [1, 1, 2 ** 20, 2 ** 20])]), ["node 'relu1' (Tile): output 0 would have shape [2, 4, 8388608, 8388608]", 'more than the 268435456']),
  modelCase('model-hostile-reshape-target', 'flatten is view(x.size(0), 2^40) as PyTorch exports it', exportedView(0, 2 ** 40), ["node 'flatten' (Reshape): cannot reshape [2, 4, 1, 1] to [2, 1099511627776]"]),
  modelCase('model-hostile-shape-index', 'flatten is view(x.size(2^31), -1): the Gather of the shape reads index 2^31', exportedView(2 ** 31, -1), ["node 'flatten.size0' (Gather): index 2147483648 is out of range for axis 0 of size 4"]),
  modelCase('model-no-prunable-units', 'a linear classifier on the raw pixels: nothing to gate', mutated((m) => {
    const g = graphOf(m);
    g.node = [
      { name: 'flatten', opType: 'Flatten', input: ['input'], output: ['features'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      { name: 'fc', opType: 'Gemm', input: ['features', 'w', 'fc.bias'], output: ['logits'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    ];
    g.initializer = [{ name: 'w', dataType: 1, dims: [CLASSES, 3 * H * H], rawData: new Uint8Array(4 * CLASSES * 3 * H * H) }, initializer(m, 'fc.bias')];
  }), ['no prunable units']),
  {
    id: 'masks-empty-group',
    summary: 'a masks.json that keeps no unit of group 0 (pruning would disconnect the network)',
    files: { ...MODEL, 'masks.json': JSON.stringify({ groups: [{ group: 0, keep: [false, false, false, false] }, { group: 1, keep: [true, false, true, true] }] }) },
    argv: ['probe', '{case}/model.onnx', '--masks', '{case}/masks.json', '--epochs', '1'],
    expect: ['masks.json', 'group 0', 'keeps no unit'],
    worker: null,
    workerSkip: 'the extension learns its own masks; it takes no mask file',
  },
  {
    id: 'masks-wrong-model',
    summary: 'a masks.json made for another model (wrong number of units)',
    files: { ...MODEL, 'masks.json': JSON.stringify({ groups: [{ group: 0, keep: [true, true] }, { group: 1, keep: [true, true] }] }) },
    argv: ['probe', '{case}/model.onnx', '--masks', '{case}/masks.json', '--epochs', '1'],
    expect: ['masks.json', 'group 0 needs a "keep" list of 4 booleans'],
    worker: null,
    workerSkip: 'the extension learns its own masks; it takes no mask file',
  },

  // ---- .npy folders
  npyCase('npy-length-mismatch', 'y_train has 11 labels for 12 images', 'y_train.npy', ['expected one entry per image', '(12 images), got 11 labels'], (s) => {
    s.train.y = npyBytes({ descr: '<i8', shape: [N - 1], data: labels(N - 1, (i) => i % CLASSES) });
  }),
  npyCase('npy-negative-label', 'y_train holds -1', 'y_train.npy', ['row 4', 'expected a non-negative integer label, got -1'], (s) => {
    s.train.y = npyBytes({ descr: '<i8', shape: [N], data: labels(N, (i) => (i === 4 ? -1 : i % CLASSES)) });
  }),
  npyCase('npy-label-beyond-model', 'labels 0–4 for a model with 3 outputs', 'model.onnx', ['5 classes', 'has 3 outputs'], (s) => {
    s.train.y = npyBytes({ descr: '<i8', shape: [N], data: labels(N, (i) => i % 5) });
  }),
  npyCase('npy-bias-one-value', 'b_train is all zeros', 'b_train.npy', ['every training sample has the same value 0', 'BISE needs bias variation'], (s) => {
    s.train.b = npyBytes({ descr: '<i8', shape: [N], data: labels(N, () => 0) });
  }),
  npyCase('npy-truncated-data', 'x_train.npy ends 100 bytes early', 'x_train.npy', ['data bytes after the', 'got 2204'], (s) => {
    const x = s.train.x as Uint8Array;
    s.train.x = x.subarray(0, x.length - 100);
  }),
  npyCase('npy-object-dtype', "y_train.npy holds pickled objects ('|O')", 'y_train.npy', ['holds Python objects (pickled data)'], (s) => {
    s.train.y = npyFromHeader(npyHeaderText('|O', [N]), new Uint8Array(8 * N));
  }),
  npyCase('npy-huge-declared-shape', 'x_train.npy declares 2^40 × 3 × 8 × 8 bytes and holds 2304', 'x_train.npy', ['expected shape (1099511627776, 3, 8, 8)', 'got 2304'], (s) => {
    s.train.x = npyFromHeader(npyHeaderText('|u1', [2 ** 40, 3, H, H]), Uint8Array.from(pixels(N, 1)));
  }),
  npyCase('npy-missing-file', 'b_test.npy is missing', 'b_test.npy', ['missing: expected the test split', 'bias labels'], (s) => {
    delete s.test.b;
  }),
  npyCase('npy-nan-images', 'x_train.npy is float32 with a NaN', 'x_train.npy', ['row 2', 'expected finite values, got NaN'], (s) => {
    const values = pixels(N, 1).map((v) => v / 255);
    values[2 * 3 * H * H + 7] = Number.NaN;
    s.train.x = npyBytes({ descr: '<f4', shape: [N, 3, H, H], data: values });
  }),
  npyCase('npy-not-npy', 'x_train.npy is a CSV', 'x_train.npy', ['expected the .npy magic'], (s) => {
    s.train.x = new TextEncoder().encode('1,2,3\n4,5,6\n');
  }),
  npyCase('npy-bad-header', "x_train.npy's header is not a Python dict", 'x_train.npy', ['header:'], (s) => {
    s.train.x = npyFromHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (12, 3, 8, 8), __import__('os')}", Uint8Array.from(pixels(N, 1)));
  }),
  npyCase('npy-image-size-mismatch', '16×16 images for a model that takes 8×8', 'model.onnx', ['[3, 16, 16]', '[3, 8, 8]'], (s) => {
    s.train.x = npyBytes({ descr: '|u1', shape: [N, 3, 16, 16], data: pixels(N, 1, 16) });
    s.test.x = npyBytes({ descr: '|u1', shape: [6, 3, 16, 16], data: pixels(6, 2, 16) });
  }),

  // ---- image CSVs
  csvCase('csv-missing-column', 'no label column', imageCsv('path,bias', (i) => `images/${i}.png,${i % 2}`), ['missing column "label"']),
  csvCase('csv-unreadable-image', 'images/3.png is not a PNG', { ...imageCsv('path,label,bias', goodRow), 'images/3.png': 'GIF89a not really an image' }, ['row 5', 'images/3.png']),
  csvCase('csv-missing-image', 'a row names an image that does not exist', imageCsv('path,label,bias', (i) => (i === 0 ? `images/missing.png,0,0` : goodRow(i))), ['row 2', 'images/missing.png']),
  csvCase('csv-path-escapes', 'a row names ../../etc/passwd', imageCsv('path,label,bias', (i) => (i === 2 ? `../../etc/passwd,2,1` : goodRow(i))), ['row 4', 'column "path"', '../../etc/passwd']),
  csvCase('csv-absolute-path', 'a row names /etc/passwd', imageCsv('path,label,bias', (i) => (i === 2 ? `/etc/passwd,2,1` : goodRow(i))), ['row 4', 'column "path"', '/etc/passwd']),
  csvCase('csv-bias-one-value', 'the bias column is 1 everywhere', imageCsv('path,label,bias', (i) => `images/${i}.png,${i % CLASSES},1`), ['column "bias"', 'every training sample has the same value 1']),
  csvCase('csv-negative-label', 'a label of -2', imageCsv('path,label,bias', (i) => (i === 1 ? `images/1.png,-2,0` : goodRow(i))), ['row 3', 'column "label"', 'got -2']),
  csvCase('csv-label-beyond-model', 'labels 0–6 for a model with 3 outputs', imageCsv('path,label,bias', (i) => `images/${i}.png,${i % 7},${Math.floor(i / 2) % 2}`), ['7 classes', 'has 3 outputs'], 'model.onnx'),
  csvCase('csv-ragged-row', 'a row with two fields', imageCsv('path,label,bias', (i) => (i === 6 ? `images/6.png,0` : goodRow(i))), ['row 8', 'expected 3 fields']),
  csvCase('csv-not-utf8', 'Latin-1 bytes in the CSV', { ...imageCsv('path,label,bias', goodRow), 'data.csv': Uint8Array.from([...new TextEncoder().encode('path,label,bias\nimages/0.png,0,'), 0xe9, 0xff, 0x0a]) }, ['not valid UTF-8']),
  csvCase('csv-unclosed-quote', 'a quoted field that never closes', imageCsv('path,label,bias', (i) => (i === 4 ? `"images/4.png,1,0` : goodRow(i))), ['line 6', 'never closed']),
  csvCase('csv-empty', 'an empty CSV', { 'data.csv': '' }, ['the file is empty']),

  // ---- IDX digits
  idxCase('idx-truncated-images', 'the image file ends early', idx([10, 28, 28], new Uint8Array(28 * 28 * 10)).subarray(0, 4000), idx([10], new Uint8Array(10)), 'images.idx', ['data bytes after the 16-byte header, got 3984']),
  idxCase('idx-count-mismatch', '10 images, 9 labels', idx([10, 28, 28], new Uint8Array(28 * 28 * 10)), idx([9], new Uint8Array(9)), 'labels.idx', ['expected 10 labels', 'got 9']),
  idxCase('idx-float-images', 'float32 IDX images', Uint8Array.from([0, 0, 0x0d, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]), idx([1], new Uint8Array(1)), 'images.idx', ['float32, which is not supported']),
];

// ---------------------------------------------------------------- write

function main(): void {
  const ids = new Set<string>();
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  for (const c of CASES) {
    if (ids.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
    ids.add(c.id);
    for (const [name, content] of Object.entries(c.files)) {
      const file = path.join(OUT, c.id, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  }
  const manifest = {
    description: 'Hostile and broken inputs; generated by scripts/make-bad-fixtures.ts, read by test/bad-inputs. {case}: a copy of the case folder; {out}: an output folder that must not be created.',
    cases: CASES.map(({ id, summary, argv, expect, worker, workerSkip }) => ({ id, summary, argv, expect, worker, ...(workerSkip ? { workerSkip } : {}) })),
  };
  fs.writeFileSync(path.join(OUT, 'cases.json'), JSON.stringify(manifest, null, 1) + '\n');
  process.stdout.write(`wrote ${CASES.length} cases to ${path.relative(process.cwd(), OUT)}\n`);
}

main();
