/**
 * Times the BISE mask step of a token model (BERT-style: int64 input_ids and attention_mask of [batch, sequence])
 * in this process, as ./mask-step-timing.ts does for an image model: GateGradientRunner built for the batch and
 * sequence length of the given token batch, specialised for all-ones gates as extract's first steps are, fed every
 * input by name, RSS sampled after every step. `units` picks what is gated ('mlp' neurons, attention 'heads', or
 * 'both').
 */
import { Model } from '../../src/core/onnx/ir';
import { GateGradientRunner } from '../../src/core/runtime/gate-gradient-runner';
import { GateGradientGraphs } from '../../src/core/graphs/gate-gradient-graphs';
import { UnitKind } from '../../src/core/units/attention-heads';
import { InputData } from '../../src/core/graphs/model-inputs';
import { MaskStepTiming, timeRunnerSteps } from './mask-step-timing';

/** One int64 input's values, as bench/torch-transformer-export.py writes them ([batch, sequence], row-major). */
export interface TokenInput {
  readonly dims: readonly number[];
  readonly data: readonly number[];
}

export interface TokenStepSettings {
  readonly threads: number;
  readonly warmup: number;
  readonly repeats: number;
  readonly units: UnitKind;
}

/** The batch and sequence length shared by every input; refuses inputs of other shapes, naming them. */
export function tokenExtent(inputs: Readonly<Record<string, TokenInput>>): { batchSize: number; sequenceLength: number } {
  const entries = Object.entries(inputs);
  if (entries.length === 0) throw new Error('no token inputs');
  const [first, firstInput] = entries[0];
  for (const [name, v] of entries) {
    if (v.dims.length !== 2 || v.dims[0] !== firstInput.dims[0] || v.dims[1] !== firstInput.dims[1]) {
      throw new Error(`token input '${name}' is [${v.dims.join(', ')}]; every input must be [batch, sequence] like '${first}' [${firstInput.dims.join(', ')}]`);
    }
    if (v.data.length !== v.dims[0] * v.dims[1]) throw new Error(`token input '${name}' [${v.dims.join(', ')}] has ${v.data.length} values`);
  }
  return { batchSize: firstInput.dims[0], sequenceLength: firstInput.dims[1] };
}

export async function timeTokenMaskStep(
  model: Model,
  inputs: Readonly<Record<string, TokenInput>>,
  s: TokenStepSettings,
  inspect?: (graphs: GateGradientGraphs, lastGateGrads: readonly Float32Array[]) => void,
): Promise<MaskStepTiming> {
  const extent = tokenExtent(inputs);
  const t0 = performance.now();
  const runner = await GateGradientRunner.create(model, { ...extent, units: s.units }, { threads: s.threads }, 'open-gates');
  const setupMs = performance.now() - t0;
  const data: Record<string, InputData> = {};
  for (const v of runner.graphs.inputs) {
    const values = inputs[v.name];
    if (!values) {
      await runner.release();
      throw new Error(`the model's input '${v.name}' has no values in the token batch (it has ${Object.keys(inputs).join(', ')})`);
    }
    data[v.name] = v.dtype === 'float32' ? Float32Array.from(values.data) : v.dtype === 'int32' ? Int32Array.from(values.data) : BigInt64Array.from(values.data, BigInt);
  }
  return timeRunnerSteps(runner, (gates) => runner.forwardInputs(data, gates), s, setupMs, inspect);
}
