/**
 * settled-units.ts against the real thing: gate.ts's maskGradient (float64 math, float32 result) and sgd.ts's Sgd
 * stepped through the rest of a τ schedule with the worst finite gate gradients. A unit called settled must see an
 * exactly zero mask gradient at every remaining step and keep its sign; the bound must also settle units that are
 * clearly settled (it is not vacuous).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EXTRACT_CONFIG, ExtractConfig, tauAt } from '../../../src/core/bise/config';
import { maskGradient } from '../../../src/core/bise/gate';
import { Sgd, SgdConfig } from '../../../src/core/bise/sgd';
import { KEPT_ZERO_SLOPE, PRUNED_ZERO_SLOPE, inZeroSlopeRegion, mergeSettled, settledUnits } from '../../../src/core/bise/settled-units';
import { remainingSchedule } from '../../../src/core/bise/early-stop';
import { Rng } from '../../support/random';

const FLOAT32_MAX = 3.4028234663852886e38;
const DEFAULT_SGD: SgdConfig = { lr: DEFAULT_EXTRACT_CONFIG.maskLr, momentum: DEFAULT_EXTRACT_CONFIG.maskMomentum, weightDecay: DEFAULT_EXTRACT_CONFIG.maskWeightDecay };

/** The real mask gradient of one unit. */
const gradientOf = (mask: number, tau: number, gateGrad: number): number => maskGradient(Float32Array.of(mask), tau, Float32Array.of(gateGrad))[0];

test('the zero-slope regions are where the real mask gradient is exactly zero, for any finite gate gradient', () => {
  const rng = new Rng(11);
  for (let k = 0; k < 3000; k++) {
    const tau = rng.bool() ? 0.5 ** rng.int(0, 12) : Math.exp(rng.uniform(-9, 1));
    const beyond = rng.bool(0.2) ? 0 : Math.exp(rng.uniform(-12, 6)); // some exactly at the threshold
    const x = rng.bool() ? KEPT_ZERO_SLOPE + beyond : -(PRUNED_ZERO_SLOPE + Math.log(1 / tau) + beyond);
    const mask = Math.fround(x * tau);
    if (!inZeroSlopeRegion(mask, tau)) continue; // the float32 rounding of m stepped back over the threshold
    for (const g of [FLOAT32_MAX, -FLOAT32_MAX, 1, -1e-30, Math.fround(rng.normal() * 1e6)]) assert.ok(gradientOf(mask, tau, g) === 0, `m = ${mask}, τ = ${tau}, dL/dg = ${g}`); // ±0
  }
  // The thresholds are near the real edges: a little inside, the gradient is not zero.
  for (const tau of [1, 2 ** -5, 2 ** -9]) {
    assert.notEqual(gradientOf(36.5 * tau, tau, 1), 0);
    assert.notEqual(gradientOf(-(PRUNED_ZERO_SLOPE - 3 + Math.log(1 / tau)) * tau, tau, FLOAT32_MAX), 0);
    // σ itself is not 0 on the pruned side: only the float32 product underflows.
    assert.notEqual(gradientOf(-(PRUNED_ZERO_SLOPE + Math.log(1 / tau)) * tau, tau, 2 ** 140), 0);
  }
});

interface Case {
  readonly schedule: ExtractConfig;
  readonly sgd: SgdConfig;
  readonly stepsPerEpoch: number;
  readonly epochsDone: number;
}

/** A real optimiser holding masks near the settling thresholds, with momentum from a few steps of random gradients. */
function primedState(rng: Rng, c: Case, units: number): { masks: Float32Array; optimizer: Sgd } {
  const tau = tauAt(c.schedule, c.epochsDone) ?? c.schedule.tauMin;
  const masks = new Float32Array(units);
  for (let i = 0; i < units; i++) {
    const edge = rng.bool() ? KEPT_ZERO_SLOPE : -(PRUNED_ZERO_SLOPE + Math.log(1 / tau));
    const pick = rng.int(0, 5);
    // Near an edge (both sides of it), far out, near 0, exactly 0.
    masks[i] = pick <= 2 ? edge * tau * rng.uniform(0.95, 1.3) : pick === 3 ? edge * tau * Math.exp(rng.uniform(0, 4)) : pick === 4 ? rng.normal() * tau : 0;
  }
  const optimizer = new Sgd(c.sgd);
  const primingSteps = rng.int(0, 3);
  for (let s = 0; s < primingSteps; s++) {
    // Mostly small gradients; sometimes a huge one, which leaves a large momentum to carry the mask.
    const scale = rng.bool(0.2) ? 10 ** rng.uniform(0, 4) * tau : 1e-3 * tau;
    optimizer.step(masks, Float32Array.from(masks, () => rng.normal() * scale / c.sgd.lr));
  }
  return { masks, optimizer };
}

/** Runs the real optimiser through the rest of the schedule: per unit, whether its gradient stayed 0 and its sign held. */
function bruteForce(rng: Rng, c: Case, masks: Float32Array, optimizer: Sgd): boolean[] {
  const held = Array.from(masks, () => true);
  const sign = Array.from(masks, (m) => m >= 0);
  const worst = Float32Array.from(masks, () => (rng.bool() ? FLOAT32_MAX : -FLOAT32_MAX));
  for (let epoch = c.epochsDone; tauAt(c.schedule, epoch) !== undefined; epoch++) {
    const tau = tauAt(c.schedule, epoch) as number;
    for (let s = 0; s < c.stepsPerEpoch; s++) {
      const grad = maskGradient(masks, tau, worst);
      grad.forEach((g, i) => g !== 0 && (held[i] = false));
      // Units that learn get an ordinary gradient (the worst one would only blow them up to NaN).
      optimizer.step(masks, grad.map((g) => (g === 0 ? 0 : Math.sign(g) * 1e-3)));
      masks.forEach((m, i) => (m >= 0) !== sign[i] && (held[i] = false));
    }
  }
  return held;
}

function randomCase(rng: Rng): Case {
  const sgd: SgdConfig = {
    lr: rng.pick([1e-2, 1e-3, 0.1, rng.uniform(1e-4, 0.3)]),
    momentum: rng.pick([0.9, 0, 0.99, rng.uniform(0, 0.995)]),
    weightDecay: rng.pick([1e-4, 0, 1e-2, rng.uniform(0, 0.05)]),
  };
  const schedule: ExtractConfig = { ...DEFAULT_EXTRACT_CONFIG, tauInitial: rng.pick([1, 0.1]), tauFactor: rng.pick([0.5, 0.8]), tauPeriod: rng.int(1, 3), tauMin: 1e-3, maxEpochs: rng.int(2, 12) };
  const epochs = remainingSchedule(schedule, 0, 1).epochs;
  // Include the last epoch (one epoch left) and the end of the schedule (none left).
  return { schedule, sgd, stepsPerEpoch: rng.int(1, 25), epochsDone: rng.pick([epochs - 1, epochs, rng.int(0, epochs)]) };
}

test('a settled unit never sees a non-zero mask gradient nor changes sign for the rest of the schedule (random states)', () => {
  const rng = new Rng(2026);
  let settled = 0;
  let clearlySettled = 0;
  let total = 0;
  for (let k = 0; k < 300; k++) {
    const c = randomCase(rng);
    const { masks, optimizer } = primedState(rng, c, 24);
    const remaining = remainingSchedule(c.schedule, c.epochsDone, c.stepsPerEpoch);
    const found = settledUnits(masks, optimizer.momentum(masks), c.sgd, remaining);
    const before = Float32Array.from(masks);
    const held = bruteForce(rng, c, masks, optimizer);
    found.settled.forEach((s, i) => {
      if (s) assert.ok(held[i], `case ${k} unit ${i}: m = ${before[i]}, ${JSON.stringify(c)} was called settled but moved`);
    });
    assert.equal(found.count, found.settled.reduce((a, b) => a + b, 0));
    if (remaining.steps === 0) assert.equal(found.count, masks.length, 'with no step left every unit is settled');
    settled += found.count;
    total += masks.length;
    // Units at least twice past the edge with no momentum to speak of are settled by any useful bound.
    before.forEach((m, i) => {
      const tau = remaining.tau;
      const far = m / tau >= 2 * KEPT_ZERO_SLOPE || -m / tau >= 2 * (PRUNED_ZERO_SLOPE + Math.log(1 / tau));
      const calm = Math.abs(optimizer.momentum(masks)?.[i] ?? 0) < 1e-9;
      if (far && calm && remaining.steps > 0 && remaining.steps * c.sgd.lr * c.sgd.weightDecay < 0.1 * (1 - c.sgd.momentum)) {
        clearlySettled++;
        assert.equal(found.settled[i], 1, `case ${k} unit ${i}: m = ${m} at τ = ${tau} should be settled`);
      }
    });
  }
  // Not vacuous: a good share of the (threshold-hugging) units settle.
  assert.ok(settled > 0.2 * total, `${settled} of ${total} settled`);
  assert.ok(clearlySettled === 0 || settled >= clearlySettled);
});

test('edge cases: units at 0, huge momentum, no weight decay, the last epoch, a bad optimiser', () => {
  const schedule = { ...DEFAULT_EXTRACT_CONFIG };
  const tau = 2 ** -9; // the default schedule's last τ: epochs 91-100
  const lastEpoch = remainingSchedule(schedule, 99, 70);
  assert.deepEqual(lastEpoch, { tau, steps: 70, epochs: 1 });
  const masks = Float32Array.of(0, -0, 1e-3, -1e-3, 40 * tau, -210 * tau, 1, -1);
  // At or next to 0 never settles; past the edges with one epoch left does.
  assert.deepEqual([...settledUnits(masks, undefined, DEFAULT_SGD, lastEpoch).settled], [0, 0, 0, 0, 1, 1, 1, 1]);
  // A huge leftover momentum can carry any mask over 0 (and does, in the real optimiser).
  const momentum = Float32Array.from(masks, (m) => Math.sign(m) * 1e4);
  assert.deepEqual([...settledUnits(masks, momentum, DEFAULT_SGD, lastEpoch).settled], [0, 0, 0, 0, 0, 0, 0, 0]);
  // No weight decay and no momentum: only the float32 rounding is left to bound.
  const still = settledUnits(masks, undefined, { lr: 1e-2, momentum: 0, weightDecay: 0 }, { tau, steps: 10_000 });
  assert.deepEqual([...still.settled], [0, 0, 0, 0, 1, 1, 1, 1]);
  // Weight decay over many steps shrinks a mask to the edge: the bound must give up before that.
  const longRun = settledUnits(Float32Array.of(40 * tau), undefined, DEFAULT_SGD, { tau, steps: 20_000 });
  assert.equal(longRun.count, 0);
  // The end of the schedule: nothing can change any more.
  assert.equal(settledUnits(masks, momentum, DEFAULT_SGD, { tau, steps: 0 }).count, masks.length);
  // Momentum ≥ 1 diverges: nothing is settled.
  assert.equal(settledUnits(masks, undefined, { lr: 1e-2, momentum: 1, weightDecay: 1e-4 }, lastEpoch).count, 0);
});

test('the real optimiser confirms the edge cases: huge momentum flips a far mask, weight decay alone does not in one epoch', () => {
  const tau = 2 ** -9;
  const run = (mask: number, push: number): number => {
    const m = Float32Array.of(mask);
    const opt = new Sgd(DEFAULT_SGD);
    opt.step(m, Float32Array.of(push)); // leaves momentum = push + wd·m
    for (let s = 0; s < 70; s++) opt.step(m, maskGradient(m, tau, Float32Array.of(FLOAT32_MAX)));
    return m[0];
  };
  assert.ok(run(1, 1e4) < 0, 'a momentum of 10^4 carries m = 1 below 0');
  const settledAfterPush = (() => {
    const m = Float32Array.of(1);
    const opt = new Sgd(DEFAULT_SGD);
    opt.step(m, Float32Array.of(1e4));
    return settledUnits(m, opt.momentum(m), DEFAULT_SGD, { tau, steps: 70 }).count;
  })();
  assert.equal(settledAfterPush, 0);
  assert.ok(run(40 * tau, 0) > 37 * tau, 'weight decay alone keeps m = 40τ past the edge for an epoch');
});

test('a unit settled once stays settled: the union of findings', () => {
  const a = { settled: Uint8Array.of(1, 0, 0), count: 1 };
  const b = { settled: Uint8Array.of(0, 0, 1), count: 1 };
  assert.deepEqual(mergeSettled(a, b), { settled: Uint8Array.of(1, 0, 1), count: 2 });
  assert.equal(mergeSettled(undefined, b), b);
});
