/** IR -> ONNX bytes, and atomic file output (never over the source model). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { onnx } from './proto';
import { Attribute, Graph, Model, ValueInfo } from './ir';
import { dtypeToProto, encodeTensor } from './tensor-codec';

export function serializeModel(model: Model): Uint8Array {
  const proto: onnx.IModelProto = {
    irVersion: model.irVersion,
    opsetImport: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    graph: graphToProto(model.graph),
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(proto).finish();
}

export function graphToProto(g: Graph): onnx.IGraphProto {
  return {
    name: g.name,
    node: g.nodes.map((n) => ({
      name: n.name,
      opType: n.opType,
      domain: n.domain,
      input: [...n.inputs],
      output: [...n.outputs],
      attribute: Object.entries(n.attributes).map(([name, a]) => attributeToProto(name, a)),
    })),
    input: g.inputs.map(valueInfoToProto),
    output: g.outputs.map(valueInfoToProto),
    initializer: [...g.initializers].map(([name, t]) => encodeTensor(name, t)),
    valueInfo: [...g.valueInfo.values()].map(valueInfoToProto),
  };
}

function valueInfoToProto(v: ValueInfo): onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: dtypeToProto(v.dtype),
        shape: v.shape ? { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : d ? { dimParam: d } : {})) } : undefined,
      },
    },
  };
}

function attributeToProto(name: string, a: Attribute): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  const enc = new TextEncoder();
  switch (a.type) {
    case 'int': return { name, type: T.INT, i: a.value };
    case 'float': return { name, type: T.FLOAT, f: a.value };
    case 'string': return { name, type: T.STRING, s: enc.encode(a.value) };
    case 'ints': return { name, type: T.INTS, ints: [...a.value] };
    case 'floats': return { name, type: T.FLOATS, floats: [...a.value] };
    case 'strings': return { name, type: T.STRINGS, strings: a.value.map((s) => enc.encode(s)) };
    case 'tensor': return { name, type: T.TENSOR, t: encodeTensor('', a.value) };
  }
}

/**
 * Write bytes to `target` atomically: a temporary file in the same folder, fsync, then rename.
 * Refuses to overwrite `protect` (the user's source model).
 */
export function writeFileAtomic(target: string, bytes: Uint8Array | string, protect: readonly string[] = []): void {
  const resolved = path.resolve(target);
  for (const p of protect) {
    if (fs.existsSync(p) && fs.existsSync(resolved) && fs.realpathSync(p) === fs.realpathSync(resolved)) {
      throw new Error(`refusing to overwrite the source file '${p}'; choose another output path`);
    }
  }
  const tmp = path.join(path.dirname(resolved), `.${path.basename(resolved)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, resolved);
}
