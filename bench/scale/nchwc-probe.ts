/**
 * One conv with a fed weight, batch 100, 2 threads: onnxruntime's NCHW kernel against its NCHWc kernel called
 * directly (ReorderInput → com.microsoft.nchwc Conv → ReorderOutput) with the weight reordered here; the numbers
 * behind graphs/nchwc-fed-convs.ts. BLOCK=8 for an AVX2 machine (runtime/nchwc-block.ts asks onnxruntime).
 * Usage: node --import tsx bench/scale/nchwc-probe.ts
 */
import * as ort from 'onnxruntime-node';
import { serializeModel } from '../../src/core/onnx/writer';
import { intsAttr, intAttr, Model } from '../../src/core/onnx/ir';
import { blockedOrder } from '../../src/core/graphs/nchwc-fed-convs';
const B = Number(process.env.BLOCK ?? 16);
/** The weight in the order graphs/nchwc-fed-convs.ts gives it onnxruntime's NCHWc Conv, [O/B][C/B][K][Bi][Bo]. */
function block(w: Float32Array, o: number, c: number, k: number): Float32Array {
  const taps = k * k;
  return Float32Array.from(blockedOrder(o, c, taps, B, (oi, ci, t) => (oi * c + ci) * taps + t), (i) => w[i]);
}
async function run(nchwc: boolean, n: number, c: number, o: number, h: number, k: number, s: number) {
  const p = (k - 1) >> 1;
  const conv = { pads: intsAttr([p, p, p, p]), strides: intsAttr([s, s]), kernel_shape: intsAttr([k, k]) };
  const nodes = nchwc ? [
    { name: 'ri', opType: 'ReorderInput', domain: 'com.microsoft.nchwc', inputs: ['x'], outputs: ['xb'], attributes: {} },
    { name: 'c', opType: 'Conv', domain: 'com.microsoft.nchwc', inputs: ['xb', 'w'], outputs: ['yb'], attributes: conv },
    { name: 'ro', opType: 'ReorderOutput', domain: 'com.microsoft.nchwc', inputs: ['yb'], outputs: ['y'], attributes: { channels: intAttr(o) } },
  ] : [{ name: 'c', opType: 'Conv', domain: '', inputs: ['x', 'w'], outputs: ['y'], attributes: conv }];
  const model = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }, { domain: 'com.microsoft.nchwc', version: 1 }], producerName: 't', producerVersion: '0', metadata: {},
    graph: { name: 'g', nodes, inputs: [{ name: 'x', dtype: 'float32', shape: [n, c, h, h] }, { name: 'w', dtype: 'float32', shape: [o, c, k, k] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: null }], initializers: new Map(), valueInfo: new Map() } } as unknown as Model;
  const sess = await ort.InferenceSession.create(serializeModel(model), { intraOpNumThreads: 2, interOpNumThreads: 1 });
  const w = Float32Array.from({ length: o * c * k * k }, (_, i) => Math.sin(i * 0.37) * 0.05);
  const feeds = { x: new ort.Tensor('float32', Float32Array.from({ length: n * c * h * h }, (_, i) => Math.sin(i)), [n, c, h, h]), w: new ort.Tensor('float32', nchwc ? block(w, o, c, k) : w, [o, c, k, k]) };
  const ts: number[] = []; let y: Float32Array = new Float32Array();
  for (let r = 0; r < 15; r++) { const t = performance.now(); y = (await sess.run(feeds)).y.data as Float32Array; ts.push(performance.now() - t); }
  return { ms: ts.slice(3).sort((a, b) => a - b)[5], y };
}
(async () => {
  for (const [n, c, o, h, k, s] of [[100, 64, 64, 8, 3, 1], [100, 128, 128, 4, 3, 1], [100, 256, 256, 2, 3, 1], [100, 512, 512, 1, 3, 1], [100, 64, 128, 8, 3, 2], [100, 128, 256, 4, 1, 2]]) {
    const a = await run(false, n, c, o, h, k, s), b = await run(true, n, c, o, h, k, s);
    let err = 0; for (let i = 0; i < a.y.length; i++) err = Math.max(err, Math.abs(a.y[i] - b.y[i]));
    console.log(`C${c} O${o} ${h}x${h} k${k} s${s}: nchw-fed ${a.ms.toFixed(2)} ms, nchwc-fed ${b.ms.toFixed(2)} ms, max diff ${err.toExponential(1)}`);
  }
})().catch((e) => { console.error(e); process.exit(1); });
