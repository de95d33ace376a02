/**
 * The channel block of onnxruntime's NCHWc cpu kernels on this machine (16 with AVX-512, 8 with AVX2; other
 * builds may have none), asked of onnxruntime itself: its ReorderInput pads the channels of a [1, 4, 1, 1] tensor
 * to one block. 0 when the op does not load or run here, and graphs/nchwc-fed-convs.ts then leaves every conv
 * as it is. Asked once per process.
 */
import * as ort from 'onnxruntime-node';
import { Model } from '../onnx/ir';
import { serializeModel } from '../onnx/writer';
import { NCHWC_DOMAIN } from '../graphs/nchwc-fed-convs';
import { SessionConfig } from './session';

let asked: Promise<number> | undefined;

export function nchwcBlockSize(): Promise<number> {
  asked ??= probe();
  return asked;
}

/** The block the engine's training graphs use for this configuration: 0 off cpu or when turned off. */
export async function nchwcBlockFor(config: SessionConfig): Promise<number> {
  return (config.provider ?? 'cpu') === 'cpu' && config.nchwcConvs !== false ? nchwcBlockSize() : 0;
}

async function probe(): Promise<number> {
  const model: Model = {
    irVersion: 8,
    opsetImports: [
      { domain: '', version: 17 },
      { domain: NCHWC_DOMAIN, version: 1 },
    ],
    producerName: 'bise-vscode',
    producerVersion: '0.1.0',
    metadata: {},
    graph: {
      name: 'nchwc_block_probe',
      nodes: [{ name: 'reorder', opType: 'ReorderInput', domain: NCHWC_DOMAIN, inputs: ['x'], outputs: ['y'], attributes: {} }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 4, 1, 1] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: null }],
      initializers: new Map(),
      valueInfo: new Map(),
    },
  };
  try {
    const session = await ort.InferenceSession.create(serializeModel(model), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(4), [1, 4, 1, 1]) });
      const block = out.y.dims[1];
      return block >= 4 && block % 4 === 0 ? block : 0;
    } finally {
      await session.release();
    }
  } catch {
    return 0;
  }
}
