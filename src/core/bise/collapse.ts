/**
 * A collapsed run, told after its first epoch: with the authors' initial mask logit (0) the first steps can prune
 * most units of a small network without BatchNorm, and the subnetwork falls to chance for good (measured on the demo
 * CNN at ρ = 0.97: three seeds ended at 10.3–11.8% unbiased with 65–78% of units removed, the vanilla model 30.3%;
 * the authors' loop in PyTorch collapses the same way). Nobody should wait for the whole schedule to learn that.
 */

/** Why the first epoch's subnetwork counts as collapsed, or null. */
export function collapseReason(o: {
  /** Unbiased validation accuracy of the subnetwork after the first epoch. */
  readonly subnetworkAccuracy: number;
  /** The vanilla model's on the same validation set. */
  readonly vanillaAccuracy: number;
  readonly classes: number;
  /** Distinct classes the subnetwork predicts on the validation set. */
  readonly predictedClasses: number;
  readonly vanillaPredictedClasses: number;
}): string | null {
  const chance = 1 / o.classes;
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  // A vanilla model at chance gives nothing to fall from.
  if (o.vanillaAccuracy - chance < 0.05) return null;
  if (o.predictedClasses <= 1 && o.vanillaPredictedClasses > 1) {
    return `the subnetwork predicts one class for every validation sample (unbiased accuracy ${pct(o.subnetworkAccuracy)}, chance ${pct(chance)}, vanilla ${pct(o.vanillaAccuracy)})`;
  }
  // Within a tenth of the way from chance to the vanilla model's accuracy.
  if (o.subnetworkAccuracy <= chance + 0.1 * (o.vanillaAccuracy - chance)) {
    return `its unbiased validation accuracy is ${pct(o.subnetworkAccuracy)}, at chance (${pct(chance)}; vanilla ${pct(o.vanillaAccuracy)})`;
  }
  return null;
}

/** The initial mask logit a restart uses: 0.1 (what the demo uses: +17 points there), or twice a larger one. */
export function saferMaskInit(maskInit: number): number {
  return maskInit < 0.1 ? 0.1 : 2 * maskInit;
}
