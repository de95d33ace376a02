/**
 * Adam's two weight decays, as torch.optim.Adam and torch.optim.AdamW define them: coupled decay enters the
 * normalised gradient, so a parameter with no loss gradient moves by about lr per step; decoupled decay shrinks it by
 * the factor 1 − lr·wd per step and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam } from '../../../src/core/bise/adam';

const config = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };

test('first step: coupled decay is part of the gradient, decoupled decay shrinks the parameter first', () => {
  const [p0, grad] = [2, 0.5];
  const coupled = Float32Array.of(p0);
  new Adam(config).step(coupled, [grad]);
  // m̂ = ĝ and v̂ = ĝ² after one step, so the step is lr·ĝ/(|ĝ| + eps) with ĝ = grad + wd·p.
  const g = grad + config.weightDecay * p0;
  assert.ok(Math.abs(coupled[0] - (p0 - (config.lr * g) / (Math.abs(g) + config.eps))) < 1e-6);
  const decoupled = Float32Array.of(p0);
  new Adam({ ...config, decoupled: true }).step(decoupled, [grad]);
  const shrunk = p0 * (1 - config.lr * config.weightDecay);
  assert.ok(Math.abs(decoupled[0] - (shrunk - (config.lr * grad) / (Math.abs(grad) + config.eps))) < 1e-6);
});

test('a parameter without loss gradient: Adam walks it by ~lr per step, AdamW only decays it', () => {
  const steps = 50;
  const adam = new Adam(config);
  const adamw = new Adam({ ...config, decoupled: true });
  const [a, w] = [Float32Array.of(1), Float32Array.of(1)];
  for (let t = 0; t < steps; t++) {
    adam.step(a, [0]);
    adamw.step(w, [0]);
  }
  // The decay term shrinks with p, so m̂/√v̂ lags a little below 1: at least 0.9·lr a step, never more than lr.
  const moved = 1 - a[0];
  assert.ok(moved > 0.9 * steps * config.lr && moved <= steps * config.lr, `Adam moved it by ${moved}`);
  assert.ok(Math.abs(w[0] - (1 - config.lr * config.weightDecay) ** steps) < 1e-6, `AdamW: ${w[0]}`);
});
