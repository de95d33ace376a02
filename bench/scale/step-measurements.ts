/**
 * Mask-step measurements of both engines, one fresh process per (model, batch, engine), memoised so that the
 * step-time and peak-memory sections share one run of each model.
 */
import { BenchModelKey } from './models';
import { MaskStepSettings } from './mask-step-timing';
import { StepChildResult, runStepChild } from './run-step-child';
import { TorchOutcome, torchMaskStep } from './torch-reference';

export interface StepPair {
  readonly ours: StepChildResult;
  /** Undefined when the PyTorch reference was switched off. */
  readonly torch?: TorchOutcome;
}

export interface StepRunSettings {
  readonly threads: number;
  readonly warmup: number;
  readonly repeats: number;
  readonly torch: boolean;
}

export class StepMeasurements {
  private readonly done = new Map<string, StepPair>();

  constructor(private readonly settings: StepRunSettings) {}

  /**
   * `frequencyConv: false` times our step with every conv direct, `memoryMb` under that memory budget; both skip
   * PyTorch (it has no such switch).
   */
  measure(model: BenchModelKey, batch: number, frequencyConv = true, memoryMb?: number): StepPair {
    const key = `${model}@${batch}${frequencyConv ? '' : ' direct'}${memoryMb === undefined ? '' : ` ${memoryMb} MiB`}`;
    const cached = this.done.get(key);
    if (cached) return cached;
    const s: MaskStepSettings = { batch, threads: this.settings.threads, warmup: this.settings.warmup, repeats: this.settings.repeats, frequencyConv, ...(memoryMb !== undefined && { memoryMb }) };
    const withTorch = this.settings.torch && frequencyConv && memoryMb === undefined;
    const pair: StepPair = { ours: runStepChild(model, s), torch: withTorch ? torchMaskStep(model, s) : undefined };
    this.done.set(key, pair);
    return pair;
  }
}
