/**
 * The memory section of `npm run bench:scale` (bench/scale/sections/peak-memory.ts): the tight budget it gives our
 * step, the short form of the engine's choice, and a step child run under --memory-mb that reports the choice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortChoice, tightBudgetMiB } from '../../bench/scale/sections/peak-memory';
import { runStepChild } from '../../bench/scale/run-step-child';
import type { StepChildResult } from '../../bench/scale/run-step-child';

const ours = (startRssMiB: number, peakRssMiB: number): StepChildResult => ({ medianMs: 1, allMs: [1], setupMs: 1, gateVectors: 1, stepRssMiB: peakRssMiB, startRssMiB, peakRssMiB });

test('memory section: the tight budget is PyTorch\'s peak less our RSS at start, else half of what our step added', () => {
  assert.equal(tightBudgetMiB(ours(100, 1200), 513.7), 413);
  assert.equal(tightBudgetMiB(ours(100, 1200), undefined), 550);
  assert.equal(tightBudgetMiB(ours(600, 1200), 513), 1, 'never below 1 MiB (the flag\'s minimum)');
});

test('memory section: the engine\'s log line in short', () => {
  assert.equal(shortChoice("memory budget 409 MiB: the fastest configuration would take an estimated 1,174 MiB; chose 0 of 6 qualifying convs in the frequency domain, onnxruntime's memory arena off (estimated 374 MiB)"), '0/6 freq, arena off');
  assert.equal(shortChoice("memory budget 9 MiB: the fastest configuration fits: all 6 qualifying convs in the frequency domain, onnxruntime's memory arena on, memory pattern on (estimated 4 MiB)"), '6/6 freq, arena');
  assert.equal(shortChoice("memory budget 700 MiB: the fastest configuration would take an estimated 1,174 MiB; chose 4 of 6 qualifying convs in the frequency domain, onnxruntime's memory arena on, memory pattern off (estimated 600 MiB)"), '4/6 freq, arena, no pattern');
  assert.equal(shortChoice("memory budget 142 MiB: the fastest configuration fits: no conv qualifies for the frequency domain, onnxruntime's memory arena on, memory pattern on (estimated 4 MiB)"), 'no freq conv, arena');
  assert.equal(shortChoice(undefined), '-');
});

test('memory section: a step child under --memory-mb reports what the budget chose', () => {
  const r = runStepChild('mlp', { batch: 2, threads: 1, warmup: 0, repeats: 1, memoryMb: 1 });
  assert.match(r.memoryChoice ?? '', /^memory budget 1 MiB: .*onnxruntime's memory arena (on|off)/);
  assert.ok(r.cpuMs !== undefined && r.cpuMs >= 0, JSON.stringify(r));
});
