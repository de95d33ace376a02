/**
 * Strided input gradient dX = ConvTranspose(dY, W) with a fed weight, three ways, batch 100, 2 threads: onnxruntime's
 * ConvTranspose; zero-inserted dY (Pad of the NCHW tensor) then an NCHWc conv; zero insertion on the blocked tensor.
 * Usage: [CONSTANT=1] node --import tsx bench/scale/nchwc-spread-probe.ts
 */
import * as ort from 'onnxruntime-node';
import { Graph, Model, Node, intsAttr, makeTensor } from '../../src/core/onnx/ir';
import { serializeModel } from '../../src/core/onnx/writer';
import { inferShapes } from '../../src/core/onnx/shape-inference';
import { nchwcFedConvs } from '../../src/core/graphs/nchwc-fed-convs';
import { nchwcBlockSize } from '../../src/core/runtime/nchwc-block';
import { engineModel } from '../../src/core/runtime/differentiable-runner';

async function time(model: Model, feeds: Record<string, ort.Tensor>): Promise<{ ms: number; y: Float32Array }> {
  const s = await ort.InferenceSession.create(serializeModel(model), { intraOpNumThreads: 2, interOpNumThreads: 1 });
  const ts: number[] = [];
  let y: Float32Array = new Float32Array();
  for (let r = 0; r < 25; r++) {
    const t = performance.now();
    y = (await s.run(feeds)).y.data as Float32Array;
    ts.push(performance.now() - t);
  }
  return { ms: ts.slice(5).sort((a, b) => a - b)[10], y };
}

async function main(): Promise<void> {
  const block = await nchwcBlockSize();
  // CONSTANT=1: the weight is a constant of the graph (the mask step's case) rather than fed (training's).
  const constant = process.env.CONSTANT === '1';
  for (const [c, o, ho, k, s, p] of [[128, 64, 4, 3, 2, 1], [256, 128, 2, 3, 2, 1], [128, 64, 4, 1, 2, 0], [64, 64, 8, 3, 1, 1]]) {
    const n = 100;
    const h = (ho - 1) * s + k - 2 * p + (s - 1);
    const node: Node = { name: 'ct', opType: 'ConvTranspose', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes: { kernel_shape: intsAttr([k, k]), strides: intsAttr([s, s]), pads: intsAttr([p, p, p, p]), output_padding: intsAttr([s - 1, s - 1]) } };
    const weight = Float32Array.from({ length: c * o * k * k }, (_, i) => Math.cos(i) * 0.1);
    const graph: Graph = {
      name: 'g',
      nodes: [node],
      inputs: [{ name: 'x', dtype: 'float32', shape: [n, c, ho, ho] }, ...(constant ? [] : [{ name: 'w', dtype: 'float32' as const, shape: [c, o, k, k] }])],
      outputs: [{ name: 'y', dtype: 'float32', shape: null }],
      initializers: new Map(constant ? [['w', makeTensor('float32', [c, o, k, k], weight)]] : []),
      valueInfo: new Map(),
    };
    const base: Model = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'p', producerVersion: '0', metadata: {}, graph };
    const shapes = inferShapes(graph, new Map([['x', [n, c, ho, ho]], ...(constant ? [] : [['w', [c, o, k, k]] as [string, number[]]])]));
    const rewritten = nchwcFedConvs(graph, shapes, block).graph;
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', Float32Array.from({ length: n * c * ho * ho }, (_, i) => Math.sin(i)), [n, c, ho, ho]) };
    if (!constant) feeds.w = new ort.Tensor('float32', weight, [c, o, k, k]);
    const a = await time(base, feeds);
    const b = await time(engineModel(base, rewritten, base.opsetImports), feeds);
    let err = 0;
    for (let i = 0; i < a.y.length; i++) err = Math.max(err, Math.abs(a.y[i] - b.y[i]));
    console.log(`dY [${n},${c},${ho},${ho}] k${k} s${s} -> ${o}x${h}x${h}: ConvTranspose ${a.ms.toFixed(2)} ms, nchwc ${b.ms.toFixed(2)} ms (${rewritten === graph ? 'not rewritten' : 'rewritten'}), max diff ${err.toExponential(1)}`);
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
