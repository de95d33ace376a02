/**
 * Units whose gate decision can no longer change: nothing is left for the rest of the schedule to learn about them.
 *
 * The mask gradient is gateGrad · σ'(m/τ)/τ, computed in JS (gate.ts maskGradient: float64, stored as float32) from
 * the graph's float32 dL/dg. It is exactly ±0, whatever the (finite, so |dL/dg| ≤ FLT_MAX < 2^128) gate gradient,
 * once x = m/τ is in one of two zero-slope regions:
 *   kept,   x ≥ 37: exp(−x) < 2^−53, so σ(x) rounds to 1 in float64 and σ(x)·(1 − σ(x)) is 0 (it is 0 from 36.74);
 *   pruned, x ≤ −(279·ln 2 + 1 + ln(1/τ)): σ(x)·(1 − σ(x))/τ ≤ e^x/τ < 2^−279, so |dL/dg| times it is < 2^−151
 *           and rounds to 0 in float32 (σ itself is not 0 there: it underflows only below x = −745).
 * τ only falls, and both regions only grow as it falls (for the pruned one, |m|/τ − ln(1/τ) grows with 1/τ once
 * |m|/τ > 1), so a unit that stays on one side with |m| ≥ r at the largest remaining τ stays in its region.
 *
 * With a zero gradient, SGD (sgd.ts: b ← μ·b + λ·p, p ← p − η·b, the gradient being ±0) moves a mask only by weight
 * decay and the momentum left over. Over N steps, with ρ = 2^−23 covering each step's float64 and float32
 * roundings, μ̃ = μ(1+ρ), λ̃ = λ(1+ρ), and P a bound on |p|:
 *   |b_t| ≤ μ̃^t·|b_0| + λ̃·P/(1 − μ̃),   |p_{t+1} − p_t| ≤ η(1+ρ)·|b_{t+1}| + ρ·P,
 *   so |p_t − p_0| ≤ A + C·P for every t ≤ N, with A = η(1+ρ)·|b_0|·μ̃/(1 − μ̃), C = N·(η(1+ρ)·λ̃/(1 − μ̃) + ρ).
 * P = (|p_0| + A)/(1 − C) (C < 1) closes the induction (|p_t| ≤ |p_0| + A + C·P = P), so |p_t| ≥ r = |p_0| − A − C·P
 * with p's sign kept while r > 0. Induction over the steps: every step sees x in the zero region, hence a zero
 * gradient, hence the drift bound holds for the next. Each unit's bound involves only its own state, so a unit
 * once settled stays settled whatever the others do; test/core/bise/settled-units.test.ts checks the bound against
 * the real Sgd and maskGradient stepped through the rest of a schedule.
 */
import type { SgdConfig } from './sgd';

/** x = m/τ at or above which σ'(x) is exactly 0 in float64 (gate.ts's sigmoid: it is from 36.74 on). */
export const KEPT_ZERO_SLOPE = 37;
/** −x at or beyond which (plus ln(1/τ)) the float32 mask gradient is 0 for any finite gate gradient: 279·ln 2 + 1. */
export const PRUNED_ZERO_SLOPE = 279 * Math.LN2 + 1;
/** Relative rounding of one SGD step (float64 arithmetic, float32 storage), with room to spare. */
const STEP_ROUNDING = 2 ** -23;
/** Slack on the bound's own float64 arithmetic, far above its few roundings of 2^−53. */
const BOUND_SLACK = 2 ** -40;

/** What is left of the schedule: the τ of the next step (the largest still to come) and the number of steps left. */
export interface RemainingSchedule {
  readonly tau: number;
  readonly steps: number;
}

/** Per gate vector (group, one gated site of the step graph): 1 where the unit is settled, and how many are. */
export interface SettledGroup {
  readonly settled: Uint8Array;
  readonly count: number;
}

/** Whether x = m/τ is in a region where the mask gradient is exactly zero (see the file comment). */
export function inZeroSlopeRegion(mask: number, tau: number): boolean {
  const x = mask / tau;
  return x >= KEPT_ZERO_SLOPE || -x >= PRUNED_ZERO_SLOPE + Math.log(1 / tau);
}

/**
 * The least |m| can become over the remaining steps with a zero gate gradient, from the current mask logit and
 * momentum buffer (negative when the bound cannot rule out a sign change, -Infinity when it does not apply).
 */
export function leastMagnitude(mask: number, momentum: number, sgd: SgdConfig, steps: number): number {
  const { lr, momentum: mu, weightDecay: wd } = sgd;
  if (!(lr >= 0 && wd >= 0 && mu >= 0 && Number.isFinite(lr) && Number.isFinite(wd) && Number.isFinite(mask) && Number.isFinite(momentum))) return -Infinity;
  const muR = mu * (1 + STEP_ROUNDING);
  if (!(muR < 1)) return -Infinity;
  const a = (lr * (1 + STEP_ROUNDING) * Math.abs(momentum) * muR) / (1 - muR);
  const c = steps * ((lr * (1 + STEP_ROUNDING) * wd * (1 + STEP_ROUNDING)) / (1 - muR) + STEP_ROUNDING);
  if (!(c < 1)) return -Infinity;
  const p = (Math.abs(mask) + a) / (1 - c);
  return Math.abs(mask) * (1 - BOUND_SLACK) - (a + c * p) * (1 + BOUND_SLACK);
}

/**
 * Which units of one gate vector are settled: the gate gradient is exactly zero at every remaining step, so the
 * unit's sign, and its gate, cannot change. `momentum` undefined = no step taken yet (SGD starts from b = 0).
 * With no step left every unit is settled.
 */
export function settledUnits(mask: Float32Array, momentum: Float32Array | undefined, sgd: SgdConfig, remaining: RemainingSchedule): SettledGroup {
  const settled = new Uint8Array(mask.length);
  let count = 0;
  for (let i = 0; i < mask.length; i++) {
    const r = remaining.steps === 0 ? Infinity : leastMagnitude(mask[i], momentum ? momentum[i] : 0, sgd, remaining.steps);
    const ok = remaining.steps === 0 || (r > 0 && inZeroSlopeRegion(Math.sign(mask[i]) * r, remaining.tau));
    settled[i] = ok ? 1 : 0;
    count += settled[i];
  }
  return { settled, count };
}

/** A unit settled once stays settled (its bound covers the rest of the schedule): the union of two findings. */
export function mergeSettled(before: SettledGroup | undefined, now: SettledGroup): SettledGroup {
  if (!before) return now;
  const settled = now.settled.map((s, i) => s | before.settled[i]);
  return { settled, count: settled.reduce((c, s) => c + s, 0) };
}
