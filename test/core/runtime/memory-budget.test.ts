/**
 * The step's memory budget (runtime/memory-estimate.ts, runtime/memory-budget.ts): the live-set estimate on hand-made
 * graphs, the activation spectra of a lowered conv, the order of configurations and the choice among them, the
 * session config a budget yields on SimpleConvNet's step graphs (fused and two-session), and the --memory-mb flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../../src/core/onnx/ir';
import { readModelFile } from '../../../src/core/onnx/reader';
import { inferShapes } from '../../../src/core/onnx/shape-inference';
import { buildGateGradientGraphs } from '../../../src/core/graphs/gate-gradient-graphs';
import { FrequencyPlan, spectrumBytes, workspaceBytes } from '../../../src/core/graphs/frequency-conv/plan';
import { frequencyPlans } from '../../../src/core/graphs/frequency-conv';
import { estimateFusedStepMemory, estimateStepMemory, fusedStepGraph, loweredWorkspaces, peakIntermediateBytes } from '../../../src/core/runtime/memory-estimate';
import {
  ARENA_INTERMEDIATE_FACTOR,
  ARENA_NO_PATTERN_FACTOR,
  FUSED_CONSTANT_FACTOR,
  FUSED_INTERMEDIATE_FACTOR,
  KEPT_FACTOR,
  SESSION_BYTES,
  WEIGHT_FACTOR,
  chooseConfiguration,
  choiceMessage,
  configurationBytes,
  defaultMemoryBudgetBytes,
  fusedConfigurationBytes,
  fusedMemoryConfigurations,
  memoryConfigurations,
  withMemoryBudget,
} from '../../../src/core/runtime/memory-budget';
import { parseFlags } from '../../../src/cli/infra/flags';
import { UsageError } from '../../../src/cli/infra/usage-error';
import { extractCommand } from '../../../src/cli/commands/extract';
import { graphOf, node, valueInfo } from '../../support/build-model';
import { fixturePath } from '../../support/fixtures';

const weight = (dims: number[]): Tensor => ({ dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });

test('live intermediates: a tensor lives from its producer to its last reader, reshapes share its memory, inputs/outputs/weights are not counted', () => {
  // x -> a = Relu(x) -> r = Reshape(a) -> b = Mul(r, w) -> c = Relu(b) -> y = Add(c, a): a lives until the Add.
  const graph = graphOf({
    nodes: [node('Relu', ['x'], ['a']), node('Reshape', ['a', 'shape'], ['r']), node('Mul', ['r', 'w'], ['b']), node('Relu', ['b'], ['c']), node('Add', ['c', 'a'], ['y'])],
    inputs: [valueInfo('x', [10])],
    outputs: [valueInfo('y', [10])],
    initializers: { w: weight([10]), shape: { dtype: 'int64', dims: [1], data: BigInt64Array.from([10n]) } },
  });
  const shapes = new Map<string, readonly number[]>([['x', [10]], ['a', [10]], ['r', [10]], ['b', [10]], ['c', [10]], ['y', [10]], ['w', [10]]]);
  // At the second Relu: a (40 bytes, read again by the Add), b (freed only after c is made) and c.
  assert.equal(peakIntermediateBytes({ graph, shapes }), 120);
  // Scratch memory of a node adds to what is live while it runs.
  assert.equal(peakIntermediateBytes({ graph, shapes }, (i) => (i === 0 ? 1000 : 0)), 1040);
});

test('a lowered conv needs its channel-mixing products at once: 3 × 2·Ph·Kw·N·M floats for SimpleConvNet\'s last layer', () => {
  const plan: FrequencyPlan = {
    batch: 100, inChannels: 64, outChannels: 128, inSize: [28, 28], outSize: [28, 28], kernel: [7, 7], dilations: [1, 1], padBegin: [3, 3], periods: [31, 31], directCost: 0, frequencyCost: 0,
  };
  const kw = 16;
  assert.equal(workspaceBytes(plan), 4 * 3 * 2 * 31 * kw * 100 * 128);
  // Linear in the batch: half the batch, half the spectra; the kernel's spectra do not depend on it.
  assert.equal(workspaceBytes({ ...plan, batch: 50 }), workspaceBytes(plan) / 2);
  assert.equal(spectrumBytes({ ...plan, batch: 50 }), spectrumBytes(plan));
});

test('configurations run from every qualifying conv lowered, the memory pattern off, fewer convs lowered, to the arena off', () => {
  assert.deepEqual(memoryConfigurations([30, 10, 30, 20]), [
    { frequencyConvMaxBytes: 30, memoryArena: true, memoryPattern: true },
    { frequencyConvMaxBytes: 30, memoryArena: true, memoryPattern: false },
    { frequencyConvMaxBytes: 20, memoryArena: true, memoryPattern: false },
    { frequencyConvMaxBytes: 10, memoryArena: true, memoryPattern: false },
    { frequencyConvMaxBytes: 0, memoryArena: true, memoryPattern: false },
    { frequencyConvMaxBytes: 0, memoryArena: false, memoryPattern: true },
  ]);
  assert.deepEqual(memoryConfigurations([]), [
    { frequencyConvMaxBytes: 0, memoryArena: true, memoryPattern: true },
    { frequencyConvMaxBytes: 0, memoryArena: true, memoryPattern: false },
    { frequencyConvMaxBytes: 0, memoryArena: false, memoryPattern: true },
  ]);
});

test('the fused step\'s configurations lower fewer and fewer convs, arena on and memory pattern off throughout', () => {
  assert.deepEqual(fusedMemoryConfigurations([30, 10, 30]), [
    { frequencyConvMaxBytes: 30, memoryArena: true, memoryPattern: false },
    { frequencyConvMaxBytes: 10, memoryArena: true, memoryPattern: false },
    { frequencyConvMaxBytes: 0, memoryArena: true, memoryPattern: false },
  ]);
  assert.deepEqual(fusedMemoryConfigurations([]), [{ frequencyConvMaxBytes: 0, memoryArena: true, memoryPattern: false }]);
  // Constants and kernel spectra alike, the live intermediates, and what any session takes.
  assert.equal(fusedConfigurationBytes({ constants: 10, spectra: 5, intermediates: 100 }), SESSION_BYTES + FUSED_CONSTANT_FACTOR * 15 + FUSED_INTERMEDIATE_FACTOR * 100);
});

test('the arena counts both sessions\' intermediates twice (1.25 times without the memory pattern); without it only the larger session\'s', () => {
  const e = { constants: 10, spectra: 7, kept: 3, forward: 100, backward: 40 };
  const fixed = WEIGHT_FACTOR * 10 + 7 + KEPT_FACTOR * 3;
  assert.equal(configurationBytes(e, { memoryArena: true, memoryPattern: true }), fixed + ARENA_INTERMEDIATE_FACTOR * 140);
  assert.equal(configurationBytes(e, { memoryArena: true, memoryPattern: false }), fixed + ARENA_NO_PATTERN_FACTOR * 140);
  assert.equal(configurationBytes(e, { memoryArena: false, memoryPattern: true }), fixed + 100);
});

test('the choice is the fastest configuration that fits, else the leanest, and the log line says which with numbers', () => {
  const workspaces = [300 * 2 ** 20, 100 * 2 ** 20];
  const [all, noPattern, one, none, off] = memoryConfigurations(workspaces);
  const candidates = [all, noPattern, one, none, off].map((configuration, i) => ({ configuration, bytes: [900, 700, 600, 500, 300][i] * 2 ** 20 }));
  const fits = chooseConfiguration(candidates, 2000 * 2 ** 20);
  assert.deepEqual([fits.configuration, fits.fits], [all, true]);
  assert.match(choiceMessage(fits, candidates, workspaces, 2000 * 2 ** 20), /^memory budget 2,000 MiB: the fastest configuration fits: all 2 qualifying convs in the frequency domain, onnxruntime's memory arena on, memory pattern on \(estimated 900 MiB\)$/);
  const middle = chooseConfiguration(candidates, 650 * 2 ** 20);
  assert.deepEqual([middle.configuration, middle.fits], [one, true]);
  assert.match(choiceMessage(middle, candidates, workspaces, 650 * 2 ** 20), /^memory budget 650 MiB: the fastest configuration would take an estimated 900 MiB; chose 1 of 2 qualifying convs in the frequency domain, onnxruntime's memory arena on, memory pattern off \(estimated 600 MiB\)$/);
  const tight = chooseConfiguration(candidates, 100 * 2 ** 20);
  assert.deepEqual([tight.configuration, tight.fits], [off, false]);
  assert.match(choiceMessage(tight, candidates, workspaces, 100 * 2 ** 20), /none fits; chose the leanest, 0 of 2 qualifying convs in the frequency domain, onnxruntime's memory arena off \(estimated 300 MiB\): the step may take more memory than the budget/);
  assert.throws(() => chooseConfiguration([], 1), /no candidate/);
  // None fits: the leanest by its estimate, wherever it stands in the order.
  const unordered = [all, noPattern, one].map((configuration, i) => ({ configuration, bytes: [900, 400, 600][i] }));
  assert.deepEqual(chooseConfiguration(unordered, 1), { configuration: noPattern, bytes: 400, fits: false });
  assert.equal(defaultMemoryBudgetBytes(1000), 500);
});

test('SimpleConvNet\'s step: the estimate shrinks as convs leave the frequency domain, and a budget picks the session config', () => {
  const model = readModelFile(fixturePath('simple-convnet.onnx'));
  const g = buildGateGradientGraphs(model, { batchSize: 4 });
  const bwd = g.backward.graph;
  const forward = { graph: g.forward, shapes: g.forwardShapes };
  const backward = { graph: bwd, shapes: inferShapes(bwd, new Map(bwd.inputs.map((v) => [v.name, v.shape as number[]]))) };
  const workspaces = loweredWorkspaces(forward, backward);
  assert.ok(workspaces.length >= 3, `the 7×7 convs and their input gradients qualify: ${workspaces.length}`);
  const all = estimateStepMemory(forward, backward, {});
  const allSpectra = [forward, backward].flatMap((s) => [...frequencyPlans(s.graph, s.shapes).values()]).reduce((sum, p) => sum + spectrumBytes(p), 0);
  assert.equal(all.spectra, allSpectra);
  const direct = estimateStepMemory(forward, backward, undefined);
  assert.equal(direct.spectra, 0);
  assert.equal(direct.constants, all.constants);
  assert.ok(direct.forward < all.forward && direct.backward < all.backward, JSON.stringify({ all, direct }));
  const pair = { forward: g.forward, forwardShapes: g.forwardShapes, backward: g.backward, seeds: [g.logits, g.bottleneck] };
  const config = { threads: 1 };
  assert.deepEqual(withMemoryBudget(pair, config), config, 'no budget: the config as given');
  const said: string[] = [];
  const onMemoryChoice = (m: string): number => said.push(m);
  // Two sessions: the pattern is a choice, the arena off the leanest.
  const roomy = withMemoryBudget(pair, { ...config, memoryBudgetBytes: 2 ** 40, onMemoryChoice }, 'two-session');
  assert.deepEqual(roomy, { threads: 1, frequencyConvMaxBytes: workspaces[0], memoryArena: true, memoryPattern: true });
  const tight = withMemoryBudget(pair, { ...config, memoryBudgetBytes: 1, onMemoryChoice }, 'two-session');
  assert.deepEqual(tight, { threads: 1, frequencyConvMaxBytes: 0, memoryArena: false, memoryPattern: true });
  assert.match(said[0], /the fastest configuration fits/);
  assert.match(said[1], /none fits; chose the leanest/);
  // The fused step (the default): its joined graph's convs, the arena on and the pattern off throughout.
  const joined = fusedStepGraph(forward, backward);
  const fusedWorkspaces = loweredWorkspaces(joined);
  assert.deepEqual(fusedWorkspaces, [...workspaces].sort((a, b) => b - a), 'the same convs qualify joined as in the two sessions');
  const fusedAll = estimateFusedStepMemory(joined, {});
  assert.equal(fusedAll.spectra, all.spectra);
  assert.ok(fusedAll.constants <= all.constants, 'a weight both halves read is held once');
  // The forward's saved activations stay live into the backward: more than either session's own live set.
  assert.ok(fusedAll.intermediates >= Math.max(all.forward, all.backward), JSON.stringify({ fusedAll, all }));
  assert.deepEqual(withMemoryBudget(pair, { ...config, memoryBudgetBytes: 2 ** 40, onMemoryChoice }), { threads: 1, frequencyConvMaxBytes: fusedWorkspaces[0], memoryArena: true, memoryPattern: false });
  assert.deepEqual(withMemoryBudget(pair, { ...config, memoryBudgetBytes: 1, onMemoryChoice }), { threads: 1, frequencyConvMaxBytes: 0, memoryArena: true, memoryPattern: false });
  assert.match(said[3], /none fits; chose the leanest, 0 of \d+ qualifying convs in the frequency domain, onnxruntime's memory arena on, memory pattern off/);
  // Another provider keeps its own allocators: nothing is chosen or said.
  assert.deepEqual(withMemoryBudget(pair, { provider: 'cuda', memoryBudgetBytes: 1, onMemoryChoice }), { provider: 'cuda' });
  assert.equal(said.length, 4);
});

test('extract --memory-mb takes a whole number of MiB ≥ 1', () => {
  assert.equal(parseFlags(extractCommand.spec, ['m.onnx', '--memory-mb', '512']).flags.memoryMb, 512);
  assert.equal(parseFlags(extractCommand.spec, ['m.onnx']).flags.memoryMb, undefined);
  assert.throws(() => parseFlags(extractCommand.spec, ['m.onnx', '--memory-mb', '0']), (e: Error) => e instanceof UsageError && /--memory-mb/.test(e.message));
});
