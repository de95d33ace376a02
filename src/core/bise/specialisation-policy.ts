/**
 * When the mask step's graphs are rebuilt for the units pruned now, and which units they may assume pruned.
 *
 * A specialised step drops the channels of units assumed pruned (graphs/zero-channels.ts) and the gate Muls of gate
 * vectors assumed all open (graphs/one-gates.ts). Building one costs a session build (SimpleConvNet, batch 100:
 * 1.4–2.5 s). A unit assumed pruned that comes back, or an all-open vector that loses a unit, breaks the assumptions
 * and forces a rebuild before the next step. In the middle of a schedule masks near the threshold flip back and
 * forth: rebuilding for whatever was pruned at the moment cost 70.6 s of a 244 s SimpleConvNet run (BiasedMNIST
 * ρ = 0.5, 10 τ steps, `npm run bench:run -- --model test/fixtures/simple-convnet.onnx --rho 0.5 --mask-init 0.1`),
 * with a rebuild every few steps. So a unit is assumed pruned only once it has stayed pruned for `settleSteps` steps
 * in a row, and a vector all open only once each of its units has stayed kept as long.
 *
 * Every specialisation computes the same step (the graphs differ only in the work they skip), and the decisions
 * depend on the masks alone, never on timings, so a seed still gives one run.
 */
import { isPruned } from './gate';

/** What a step specialisation assumes: per gate vector the units pruned, and the gate vectors all open. */
export interface SpecialisationPlan {
  readonly pruned: readonly ReadonlySet<number>[];
  readonly ones: ReadonlySet<number>;
}

export interface SpecialisationPolicyOptions {
  /** Steps a unit must stay on one side before the graphs assume it stays there. */
  readonly settleSteps: number;
  /** A specialisation that still holds is rebuilt once this fraction of all units settled pruned beyond it. */
  readonly respecializeFraction: number;
}

/**
 * Follows the masks step by step (`observe`) and says when to rebuild and for what (`decide`). Starts as if every
 * unit had been on its initial side for `settleSteps` steps: the runner starts specialised for the initial gates.
 */
export class SpecialisationPolicy {
  /** Per gate vector and unit: +n kept for the last n observations, −n pruned for the last n. */
  private readonly runs: Int32Array[];
  private readonly totalUnits: number;

  constructor(initialMasks: readonly Float32Array[], private readonly options: SpecialisationPolicyOptions) {
    if (!(Number.isInteger(options.settleSteps) && options.settleSteps >= 1)) throw new Error(`settleSteps must be an integer ≥ 1, got ${options.settleSteps}`);
    this.runs = initialMasks.map((m) => Int32Array.from(m, (v) => (isPruned(v) ? -options.settleSteps : options.settleSteps)));
    this.totalUnits = initialMasks.reduce((s, m) => s + m.length, 0);
  }

  /** Records one step's masks (the ones the next step gates with). */
  observe(masks: readonly Float32Array[]): void {
    masks.forEach((m, i) => {
      const runs = this.runs[i];
      for (let c = 0; c < m.length; c++) {
        const r = runs[c];
        if (isPruned(m[c])) runs[c] = r < 0 ? Math.max(r - 1, -0x3fffffff) : -1;
        else runs[c] = r > 0 ? Math.min(r + 1, 0x3fffffff) : 1;
      }
    });
  }

  /**
   * The specialisation the next step should run with, or null to keep `current`: a new one when the masks break
   * `current`'s assumptions, or when enough units settled pruned beyond what it assumes.
   */
  decide(current: SpecialisationPlan, masks: readonly Float32Array[]): SpecialisationPlan | null {
    const settle = this.options.settleSteps;
    const holds =
      current.pruned.every((set, i) => [...set].every((c) => isPruned(masks[i][c]))) &&
      [...current.ones].every((i) => masks[i].every((v) => !isPruned(v)));
    const pruned = this.runs.map((runs) => new Set(indicesWhere(runs, (r) => r <= -settle)));
    const settledPruned = pruned.reduce((s, set) => s + set.size, 0);
    const assumed = current.pruned.reduce((s, set) => s + set.size, 0);
    if (holds && settledPruned - assumed < this.options.respecializeFraction * this.totalUnits) return null;
    const ones = new Set(indicesWhere(this.runs, (runs) => runs.every((r) => r >= settle)));
    return { pruned, ones };
  }
}

function indicesWhere<T>(xs: ArrayLike<T> | readonly T[], keep: (x: T) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) if (keep(xs[i] as T)) out.push(i);
  return out;
}
