/**
 * Stopping mask learning once every unit is settled (settled-units.ts): the gate gradients of the rest of the schedule
 * are all exactly zero, so its steps only apply weight decay and leftover momentum to the mask logits, which this
 * replays without the model (steps × units additions instead of forward and backward passes). The masks, and
 * therefore the selection, pruning, assessment and export that follow, are those of the full schedule, bit for bit.
 */
import { ExtractConfig, tauAt } from './config';
import type { EarlyStopEvent } from './events';
import { maskGradient } from './gate';
import { Sgd } from './sgd';
import { RemainingSchedule } from './settled-units';

/** An early stop as extract.ts returns it and report.json keeps it: epochs 1-based, skippedSteps replayed without the model. */
export type EarlyStopRecord = Omit<EarlyStopEvent, 'type'>;

/** The schedule after `epochsDone` epochs of `stepsPerEpoch` steps: the epochs still to run and their largest τ. */
export function remainingSchedule(config: ExtractConfig, epochsDone: number, stepsPerEpoch: number): RemainingSchedule & { readonly epochs: number } {
  let epochs = 0;
  while (tauAt(config, epochsDone + epochs) !== undefined) epochs++;
  return { tau: tauAt(config, epochsDone) ?? config.tauMin, steps: epochs * stepsPerEpoch, epochs };
}

/** The largest finite float32: no finite gate gradient is larger, so a zero mask gradient for it is zero for all. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Runs the mask optimiser through the rest of the schedule as the full run would, with the worst finite gate
 * gradient: the mask gradient must be zero at every step. A non-zero one means the settled-units bound was wrong;
 * that is thrown (with --no-early-stop as the way round) rather than giving masks the schedule would not give.
 */
export function replaySettledSchedule(masks: readonly Float32Array[], optimizer: Sgd, config: ExtractConfig, epochsDone: number, stepsPerEpoch: number): number {
  const worst = masks.map((m) => new Float32Array(m.length).fill(FLOAT32_MAX));
  let steps = 0;
  for (let epoch = epochsDone; ; epoch++) {
    const tau = tauAt(config, epoch);
    if (tau === undefined) return steps;
    for (let s = 0; s < stepsPerEpoch; s++, steps++) {
      masks.forEach((m, i) => {
        const grad = maskGradient(m, tau, worst[i]);
        const moving = grad.findIndex((g) => g !== 0);
        if (moving >= 0) {
          throw new Error(`early stop: unit ${moving} of gate vector ${i} (mask logit ${m[moving]}) would still learn at epoch ${epoch + 1} (τ = ${tau}); this is a bug in the settled-units bound, please report it. Run with --no-early-stop meanwhile`);
        }
        optimizer.step(m, grad);
      });
    }
  }
}

/** The log line of an early stop. */
export function earlyStopMessage(r: EarlyStopRecord): string {
  return (
    `all ${r.settledUnits} units settled at epoch ${r.epoch} of ${r.scheduledEpochs}: stopping mask learning early (same masks as the full schedule). ` +
    `The ${r.skippedSteps} steps left could only decay the mask logits and were replayed without the model (--no-early-stop runs them in full)`
  );
}
