/**
 * Times the forms of a strided conv's input gradient (./strided-dx-forms.ts, and the per-channel matrices of
 * src/core/ops/depthwise-input-grad.ts as 'dw-channel-matmul') against onnxruntime's ConvTranspose, one graph per form (dY fed, weight a constant or fed), on the strided convs of MobileNetV2,
 * EfficientNet-B0 and ResNet-18 as the benches run them. The graphs get the engine's dense lowering of small maps
 * (graphs/dense-conv) as the mask step's do. All forms of a case run in one process, alternating, after a check
 * that they agree with the ConvTranspose. Reports wall and process CPU ms per run, median and 20th percentile (the
 * machine is shared: the low quantile is the run nobody interrupted). With BISE_ORT_PROFILE=/tmp/p set, each
 * form's session also writes onnxruntime's per-kernel timings (the numbers quoted in the engine are their minima).
 *
 *   node --import tsx bench/strided-dx.ts [--repeats 30] [--threads 2] [--only substring] [--forms zero-insertion,…]
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Graph, Tensor, ValueInfo, Attribute, makeTensor } from '../src/core/onnx/ir';
import { serializeModel } from '../src/core/onnx/writer';
import { inferShapes } from '../src/core/onnx/shape-inference';
import { lowerConvsToDense } from '../src/core/graphs/dense-conv';
import { createSession } from '../src/core/runtime/session';
import { createRng } from '../src/core/data/random';
import { ConvShapes, GraphOps, depthwiseInputGrad, isDepthwise } from '../src/core/ops/depthwise-input-grad';
import {
  ConvWeight,
  convTransposeForm,
  depthwiseEinsumForm,
  depthwiseMatMulForm,
  depthwiseProductForm,
  pointwiseApplies,
  pointwiseForm,
  polyphaseForm,
  polyphasePlan,
  zeroInsertionForm,
} from './strided-dx-forms';
import { median } from './scale/stats';

interface Case {
  readonly label: string;
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly depthwise: boolean;
  /** The weight is a graph input (training), flipped in the graph. */
  readonly fed?: boolean;
}

const dw = (label: string, c: number, size: number, kernel: number, batch = 100): Case => ({ label, batch, inChannels: c, outChannels: c, size, kernel, stride: 2, depthwise: true });
const dense = (label: string, batch: number, c: number, size: number, kernel: number, fed = false): Case => ({
  label: `${label}${fed ? ' fed' : ''}`,
  batch,
  inChannels: c,
  outChannels: 2 * c,
  size,
  kernel,
  stride: 2,
  depthwise: false,
  fed,
});

const CASES: Case[] = [
  dw('mnv2 dw3 96@16', 96, 16, 3),
  dw('mnv2 dw3 144@8', 144, 8, 3),
  dw('mnv2 dw3 192@4', 192, 4, 3),
  dw('mnv2 dw3 576@2', 576, 2, 3),
  dw('effb0 dw5 144@8', 144, 8, 5),
  dw('effb0 dw3 240@4', 240, 4, 3),
  dw('effb0 dw5 672@2', 672, 2, 5),
  // Larger maps, to place the rule's limits (MobileNetV2 at 224×224 has 96@112, 144@56, 192@28, 576@14).
  dw('dw3 144@16', 144, 16, 3),
  dw('dw3 32@32', 32, 32, 3),
  dw('dw3 576@14 b32', 576, 14, 3, 32),
  dw('dw3 192@28 b32', 192, 28, 3, 32),
  dw('dw3 144@56 b32', 144, 56, 3, 32),
  ...[false, true].flatMap((fed) => [
    dense('r18-32 3x3 64@8', 100, 64, 8, 3, fed),
    dense('r18-32 1x1 64@8', 100, 64, 8, 1, fed),
    dense('r18-32 3x3 128@4', 100, 128, 4, 3, fed),
    dense('r18-32 1x1 128@4', 100, 128, 4, 1, fed),
    dense('r18-32 3x3 256@2', 100, 256, 2, 3, fed),
    dense('r18-32 1x1 256@2', 100, 256, 2, 1, fed),
    dense('r18-224 3x3 64@56', 32, 64, 56, 3, fed),
    dense('r18-224 1x1 64@56', 32, 64, 56, 1, fed),
    dense('r18-224 3x3 128@28', 32, 128, 28, 3, fed),
    dense('r18-224 1x1 128@28', 32, 128, 28, 1, fed),
    dense('r18-224 3x3 256@14', 32, 256, 14, 3, fed),
    dense('r18-224 1x1 256@14', 32, 256, 14, 1, fed),
  ]),
];

function convOf(c: Case): ConvShapes {
  const pad = (c.kernel - 1) / 2;
  const out = Math.floor((c.size + 2 * pad - c.kernel) / c.stride) + 1;
  const group = c.depthwise ? c.inChannels : 1;
  return {
    x: [c.batch, c.inChannels, c.size, c.size],
    w: [c.outChannels, c.inChannels / group, c.kernel, c.kernel],
    y: [c.batch, c.outChannels, out, out],
    group,
    geom: { kernel: [c.kernel, c.kernel], strides: [c.stride, c.stride], dilations: [1, 1], pads: [pad, pad, pad, pad], ceilMode: false },
  };
}

/** Collects nodes and constants under unique names. */
class Collector implements GraphOps {
  readonly nodes: Graph['nodes'][number][] = [];
  readonly initializers = new Map<string, Tensor>();
  private n = 0;
  op(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}): string {
    const out = `${opType}_${this.n++}`;
    this.nodes.push({ name: out, opType, domain: '', inputs: [...inputs], outputs: [out], attributes });
    return out;
  }
  addConstant(hint: string, value: Tensor): string {
    const name = `${hint}_${this.n++}`;
    this.initializers.set(name, value);
    return name;
  }
}

type Form = 'conv-transpose' | 'zero-insertion' | 'pointwise' | 'polyphase' | 'dw-product' | 'dw-matmul' | 'dw-einsum' | 'dw-channel-matmul';

function formGraph(form: Form, conv: ConvShapes, w: Tensor, fed: boolean): Graph | undefined {
  const ops = new Collector();
  const weight: ConvWeight = fed ? { name: 'w' } : { name: 'w', value: w };
  if (!fed) ops.initializers.set('w', w);
  let dx: string;
  if (form === 'conv-transpose') dx = convTransposeForm(ops, conv, 'dy', weight);
  else if (form === 'zero-insertion') dx = zeroInsertionForm(ops, conv, 'dy', weight);
  else if (form === 'pointwise') {
    if (!pointwiseApplies(conv)) return undefined;
    dx = pointwiseForm(ops, conv, 'dy', weight);
  } else if (form === 'dw-product' || form === 'dw-matmul' || form === 'dw-einsum' || form === 'dw-channel-matmul') {
    // Matrices up to 64 MiB: the engine's limits (depthwise-input-grad.ts) are placed by these runs.
    if (!isDepthwise(conv) || fed || conv.x[1] * conv.x[2] * conv.x[3] * conv.y[2] * conv.y[3] > 2 ** 24) return undefined;
    const emit = { 'dw-product': depthwiseProductForm, 'dw-matmul': depthwiseMatMulForm, 'dw-einsum': depthwiseEinsumForm, 'dw-channel-matmul': depthwiseInputGrad }[form];
    dx = emit(ops, conv, 'dy', w);
  } else {
    const plan = polyphasePlan(conv);
    if (!plan || fed) return undefined;
    dx = polyphaseForm(ops, conv, 'dy', w, plan);
  }
  const info = (name: string, shape: readonly number[]): ValueInfo => ({ name, dtype: 'float32', shape: [...shape] });
  const inputs = [info('dy', conv.y), ...(fed ? [info('w', conv.w)] : [])];
  const graph: Graph = { name: form, nodes: ops.nodes, inputs, outputs: [info(dx, conv.x)], initializers: ops.initializers, valueInfo: new Map() };
  if (fed || form === 'polyphase' || form.startsWith('dw-')) return graph;
  // The mask step's graphs get the dense lowering of small maps (graphs/conv-lowering.ts); so do these.
  return lowerConvsToDense(graph, inferShapes(graph)).graph;
}

/** The q-quantile (nearest rank): on a shared machine the low quantiles are the runs others did not interrupt. */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { forms: { type: 'string' }, repeats: { type: 'string', default: '30' }, threads: { type: 'string', default: '2' }, only: { type: 'string' } } });
  const repeats = Number(values.repeats);
  const threads = Number(values.threads);
  const rng = createRng(7);
  console.log(`| case | form | wall ms median | wall ms p20 | CPU ms median | CPU ms p20 | vs ConvTranspose (CPU p20) | max abs diff |`);
  console.log(`|---|---|---:|---:|---:|---:|---:|---:|`);
  for (const c of CASES) {
    if (values.only && !c.label.includes(values.only)) continue;
    const conv = convOf(c);
    const w = makeTensor('float32', conv.w, Float32Array.from({ length: conv.w.reduce((a, b) => a * b, 1) }, () => rng.nextNormal() * 0.1));
    const dy = new ort.Tensor('float32', Float32Array.from({ length: conv.y.reduce((a, b) => a * b, 1) }, () => rng.nextNormal()), conv.y);
    const feeds: Record<string, ort.Tensor> = { dy, ...(c.fed ? { w: new ort.Tensor('float32', w.data as Float32Array, conv.w) } : {}) };
    const forms: Form[] = ['conv-transpose', 'zero-insertion', 'pointwise', 'polyphase', 'dw-product', 'dw-matmul', 'dw-einsum', 'dw-channel-matmul'];
    const runs: { form: Form; session: ort.InferenceSession; output: string }[] = [];
    for (const form of forms.filter((f) => f === 'conv-transpose' || !values.forms || values.forms.split(',').includes(f))) {
      const graph = formGraph(form, conv, w, c.fed ?? false);
      if (!graph) continue;
      const model = { irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'bench', producerVersion: '0', graph, metadata: {} };
      const { session } = await createSession(serializeModel(model), { threads });
      runs.push({ form, session, output: graph.outputs[0].name });
    }
    const reference = (await runs[0].session.run(feeds))[runs[0].output].data as Float32Array;
    const diffs = new Map<Form, number>();
    for (const r of runs) {
      const got = (await r.session.run(feeds))[r.output].data as Float32Array;
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - reference[i]));
      diffs.set(r.form, worst);
    }
    const wall = new Map<Form, number[]>(runs.map((r) => [r.form, []]));
    const cpu = new Map<Form, number[]>(runs.map((r) => [r.form, []]));
    for (let i = 0; i < repeats + 3; i++) {
      for (const r of runs) {
        const [t0, c0] = [performance.now(), cpuMs()];
        await r.session.run(feeds);
        if (i >= 3) {
          wall.get(r.form)?.push(performance.now() - t0);
          cpu.get(r.form)?.push(cpuMs() - c0);
        }
      }
    }
    const base = quantile(cpu.get('conv-transpose') ?? [], 0.2);
    for (const r of runs) {
      const [w, u] = [wall.get(r.form) ?? [], cpu.get(r.form) ?? []];
      const cells = [median(w), quantile(w, 0.2), median(u), quantile(u, 0.2), quantile(u, 0.2) / base].map((v) => v.toFixed(2));
      console.log(`| ${c.label} | ${r.form} | ${cells.join(' | ')} | ${diffs.get(r.form)?.toExponential(1)} |`);
    }
    for (const r of runs) await r.session.release();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
