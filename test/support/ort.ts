/** Runs IR graphs in onnxruntime-node (opset 17, IR version 8) and converts tensors to and from the reference type. */
import * as ort from 'onnxruntime-node';
import { Graph, Model } from '../../src/core/onnx/ir';
import { serializeModel } from '../../src/core/onnx/writer';
import { RefTensor } from './reference/tensor';

export function modelOf(graph: Graph): Model {
  return { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'bise-test', producerVersion: '0', graph, metadata: {} };
}

export async function runOnnx(graph: Graph, feeds: Readonly<Record<string, ort.Tensor>>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(serializeModel(modelOf(graph)));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

export function toOrtFloat32(t: RefTensor): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(t.data), [...t.dims]);
}

export function fromOrt(t: ort.Tensor): RefTensor {
  const data = t.data as ArrayLike<number | bigint>;
  return { dims: [...t.dims], data: Float64Array.from(Array.from(data, (v) => Number(v))) };
}
