/**
 * Gradient checks for autodiff rules. For L = Σ_seeds Σ(seed · R) with a random R:
 *  (a) the backward graph, evaluated in the float64 reference interpreter, must match central finite
 *      differences of the float64 forward;
 *  (b) forward and backward graphs run in onnxruntime (float32) must match the float64 forward values and the
 *      float64 analytic gradients.
 * Errors are normwise: max|actual − expected| / max(max|expected|, 0.01). The floor keeps a gradient that
 * cancels to almost nothing (e.g. a bias gradient Σ dY of O(1) terms summing to 0.002) from turning ordinary
 * float32 summation error into a failure; upstream gradients and activations are O(1) in these tests.
 */
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph, ValueInfo } from '../../src/core/onnx/ir';
import { inferShapes } from '../../src/core/onnx/shape-inference';
import { BackwardGraph, buildBackward } from '../../src/core/autodiff/backward';
import { evaluate } from '../../src/core/ops/reference/interpret';
import { RefTensor, fromIrTensor, sizeOf } from '../../src/core/ops/reference/tensor';
import { fromOrt, runOnnx, toOrtFloat32 } from './ort';
import { Rng, float32Values, normal, seedFor } from './random';

export interface GradCheckCase {
  /** Shown in every failure, with the seed that reproduces the case. */
  readonly label: string;
  readonly graph: Graph;
  readonly feeds: ReadonlyMap<string, RefTensor>;
  readonly seeds: readonly string[];
  readonly targets: readonly string[];
}

export interface GradCheckOptions {
  readonly fdStep?: number;
  /** Allowed relative error of the float64 analytic gradient against finite differences. */
  readonly fdTolerance?: number;
  /** Allowed relative error of onnxruntime float32 results against float64. */
  readonly ortTolerance?: number;
  /**
   * Default-domain opset of the forward graph in onnxruntime (default 17). The backward graph always runs at 17,
   * the opset the engine builds its backward graphs for, as the engine runs a model's forward at its own opset.
   */
  readonly forwardOpset?: number;
}

export interface GradCheckResult {
  readonly backward: BackwardGraph;
  /** target -> float64 analytic gradient. */
  readonly gradients: ReadonlyMap<string, RefTensor>;
}

const SCALE_FLOOR = 0.01;

export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; worst: number } {
  assert.equal(actual.length, expected.length, 'length mismatch');
  let scale = 0;
  let diff = 0;
  let worst = -1;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= diff)) {
      diff = d;
      worst = i;
    }
  }
  return { error: diff / Math.max(scale, SCALE_FLOOR), worst };
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  const { error, worst } = relativeError(actual, expected);
  assert.ok(
    error <= tolerance,
    `${what}: relative error ${error.toExponential(3)} > ${tolerance} (worst at flat index ${worst}: got ${actual[worst]}, expected ${expected[worst]})`,
  );
}

/** L = Σ seed·R, summed with Neumaier compensation: its rounding error would otherwise dominate the differences. */
function loss(graph: Graph, feeds: ReadonlyMap<string, RefTensor>, upstream: ReadonlyMap<string, RefTensor>): number {
  const values = evaluate(graph, feeds);
  let total = 0;
  let compensation = 0;
  for (const [seed, r] of upstream) {
    const y = values.get(seed) as RefTensor;
    for (let i = 0; i < r.data.length; i++) {
      const term = y.data[i] * r.data[i];
      const next = total + term;
      compensation += Math.abs(total) >= Math.abs(term) ? total - next + term : term - next + total;
      total = next;
    }
  }
  return total + compensation;
}

/** Central differences of L with respect to every element of `target` (a graph input or an initializer). */
function finiteDifferences(c: GradCheckCase, upstream: ReadonlyMap<string, RefTensor>, target: string, step: number): Float64Array {
  const initializer = c.graph.initializers.get(target);
  const base = c.feeds.get(target) ?? (initializer && fromIrTensor(initializer));
  if (!base) throw new Error(`${c.label}: target '${target}' is neither fed nor an initializer`);
  const perturbed = { dims: base.dims, data: base.data.slice() };
  const feeds = new Map(c.feeds).set(target, perturbed);
  const grad = new Float64Array(base.data.length);
  for (let i = 0; i < grad.length; i++) {
    perturbed.data[i] = base.data[i] + step;
    const up = loss(c.graph, feeds, upstream);
    perturbed.data[i] = base.data[i] - step;
    const down = loss(c.graph, feeds, upstream);
    perturbed.data[i] = base.data[i];
    grad[i] = (up - down) / (2 * step);
  }
  return grad;
}

export async function gradCheck(c: GradCheckCase, rng: Rng, options: GradCheckOptions = {}): Promise<GradCheckResult> {
  const { fdStep = 1e-6, fdTolerance = 1e-6, ortTolerance = 1e-4, forwardOpset = 17 } = options;
  const shapes = inferShapes(c.graph, new Map([...c.feeds].map(([name, t]) => [name, t.dims])));
  const backward = buildBackward({ forward: c.graph, shapes, seeds: c.seeds, targets: c.targets });
  const upstream = new Map(c.seeds.map((s) => {
    const dims = shapes.get(s) as readonly number[];
    return [s, { dims, data: float32Values(rng, sizeOf(dims), normal()) }] as const;
  }));

  // (a) float64 analytic gradient against central differences.
  const forward64 = evaluate(c.graph, c.feeds);
  const backwardFeeds = new Map<string, RefTensor>();
  for (const [seed, input] of backward.seedInputs) backwardFeeds.set(input, upstream.get(seed) as RefTensor);
  for (const name of [...backward.savedInputs, ...backward.savedIntermediates]) backwardFeeds.set(name, forward64.get(name) as RefTensor);
  const backward64 = evaluate(backward.graph, backwardFeeds);
  const gradients = new Map<string, RefTensor>();
  for (const target of c.targets) {
    const analytic = backward64.get(backward.gradOutputs.get(target) as string) as RefTensor;
    assert.deepEqual(analytic.dims, shapes.get(target), `${c.label}: gradient of '${target}' has the wrong shape`);
    assert.ok(analytic.data.every(Number.isFinite), `${c.label}: gradient of '${target}' is not finite`);
    gradients.set(target, analytic);
    const numeric = finiteDifferences(c, upstream, target, fdStep);
    assertClose(analytic.data, numeric, fdTolerance, `${c.label}: float64 dL/d'${target}' vs finite differences`);
  }

  // (b) onnxruntime float32 forward + backward against float64.
  const dtypes = new Map(backward.graph.inputs.map((v) => [v.name, v]));
  const forwardOutputs: ValueInfo[] = [
    ...c.seeds.map((s) => ({ name: s, dtype: 'float32' as const, shape: shapes.get(s) ?? null })),
    ...backward.savedIntermediates.filter((s) => !c.seeds.includes(s)).map((s) => dtypes.get(s) as ValueInfo),
  ];
  const graphFeeds = Object.fromEntries(c.graph.inputs.map((v) => [v.name, toOrtFloat32(c.feeds.get(v.name) as RefTensor)]));
  const forward32 = await runOnnx({ ...c.graph, outputs: forwardOutputs }, graphFeeds, { opset: forwardOpset });
  for (const s of c.seeds) {
    assertClose(fromOrt(forward32[s]).data, (forward64.get(s) as RefTensor).data, ortTolerance, `${c.label}: onnxruntime forward '${s}' vs float64 reference`);
  }
  const backwardFeeds32: Record<string, ort.Tensor> = {};
  for (const [seed, input] of backward.seedInputs) backwardFeeds32[input] = toOrtFloat32(upstream.get(seed) as RefTensor);
  for (const name of backward.savedInputs) backwardFeeds32[name] = graphFeeds[name];
  for (const name of backward.savedIntermediates) backwardFeeds32[name] = forward32[name];
  const backward32 = await runOnnx(backward.graph, backwardFeeds32);
  for (const target of c.targets) {
    const got = fromOrt(backward32[backward.gradOutputs.get(target) as string]);
    assertClose(got.data, (gradients.get(target) as RefTensor).data, ortTolerance, `${c.label}: onnxruntime float32 dL/d'${target}' vs float64 analytic`);
  }
  return { backward, gradients };
}

/** Op types the backward graph uses (to check which path a rule took). */
export function backwardOps(result: GradCheckResult): string[] {
  return result.backward.graph.nodes.map((n) => n.opType);
}

export interface DrawnCase {
  readonly built: { readonly graph: Graph; readonly feeds: ReadonlyMap<string, RefTensor> };
  readonly seeds: readonly string[];
  readonly targets: readonly string[];
  /** Configuration summary for failure messages. */
  readonly describe?: string;
}

/** Set GRADCHECK_DRAWS=<factor> to multiply every test's number of random draws (a soak run). */
const DRAW_FACTOR = Math.max(1, Number(process.env.GRADCHECK_DRAWS ?? '1') || 1);

/**
 * Gradient-check `draws` random cases named `name`; draw d uses the seed seedFor(name, d), which every failure
 * message names. Returns the results (e.g. to inspect which path a rule took).
 */
export async function gradCheckDraws(name: string, draws: number, make: (rng: Rng) => DrawnCase, options: GradCheckOptions = {}): Promise<GradCheckResult[]> {
  const results: GradCheckResult[] = [];
  for (let draw = 0; draw < draws * DRAW_FACTOR; draw++) {
    const seed = seedFor(name, draw);
    const rng = new Rng(seed);
    const c = make(rng);
    const label = `${name} draw ${draw} (seed ${seed})${c.describe ? ` [${c.describe}]` : ''}`;
    results.push(await gradCheck({ label, graph: c.built.graph, feeds: c.built.feeds, seeds: c.seeds, targets: c.targets }, rng, options));
  }
  return results;
}
