/** Runs IR graphs in onnxruntime-node (opset 17 unless told otherwise, IR version 8) and converts tensors to and from the reference type. */
import * as ort from 'onnxruntime-node';
import { Graph, Model } from '../../src/core/onnx/ir';
import { serializeModel } from '../../src/core/onnx/writer';
import { RefTensor } from '../../src/core/ops/reference/tensor';

/**
 * `extraDomains`: further opset domains the graph uses (e.g. com.microsoft for FusedMatMul), version 1. `opset`:
 * the default domain's version (17, the engine's backward graphs'; a model's forward may need a newer one, e.g.
 * Gelu's 20).
 */
export function modelOf(graph: Graph, extraDomains: readonly string[] = [], opset = 17): Model {
  const opsetImports = [{ domain: '', version: opset }, ...extraDomains.map((domain) => ({ domain, version: 1 }))];
  return { irVersion: 8, opsetImports, producerName: 'bise-test', producerVersion: '0', graph, metadata: {} };
}

export async function runOnnx(
  graph: Graph,
  feeds: Readonly<Record<string, ort.Tensor>>,
  options: { threads?: number; extraDomains?: readonly string[]; opset?: number } = {},
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(serializeModel(modelOf(graph, options.extraDomains, options.opset)), options.threads ? { intraOpNumThreads: options.threads } : {});
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
