/**
 * Everything measured about a subnetwork against its vanilla model, on the same data and seed: accuracy
 * breakdowns on the unbiased test set, random and magnitude baselines at equal per-group sparsity, and the latent
 * bias probe (z and every gate site) for vanilla and subnetwork.
 */
import { Model } from '../onnx/ir';
import { Discovery } from '../units/discover';
import { GateInput } from '../graphs/gated-forward';
import { AnyDataset } from '../data/dataset';
import { SessionConfig } from '../runtime/session';
import { AccuracyBreakdown } from '../metrics/group-accuracy';
import { meanBreakdown, multiBiasBreakdown } from '../metrics/breakdown';
import { runBiasProbe, ProbeScores, linearProbe } from '../probe/bias-probe';
import { GatedInference, DatasetPass } from './gated-inference';
import { keptCounts, magnitudeMasks, randomMasks } from './baselines';
import { EventSink } from './events';
import { attentionMaskInput } from '../data/text/token-feeds';

/** The probe on z for one bias attribute other than the first (`attribute`: its index in the dataset's biases). */
export interface AttributeProbeScores extends ProbeScores {
  readonly attribute: number;
}

export interface ProbeSummary extends ProbeScores {
  readonly perLayer: { site: string; label: string; accuracy: number }[];
  /**
   * With several bias attributes: the probe on z for attributes 1, 2, … (attribute 0's is the fields above).
   * Absent with one attribute, so single-attribute results read as before.
   */
  readonly perBias?: AttributeProbeScores[];
}

export interface Assessment {
  readonly vanilla: AccuracyBreakdown;
  readonly subnetwork: AccuracyBreakdown;
  readonly baselines: { name: string; metrics: AccuracyBreakdown; seeds?: number }[];
  readonly probe: { vanilla: ProbeSummary; subnetwork: ProbeSummary } | null;
}

export interface AssessInputs {
  readonly model: Model;
  readonly discovery: Discovery;
  readonly gates: readonly GateInput[];
  /** Keep decision per unit, per gate vector. */
  readonly keep: readonly boolean[][];
  /** Unbiased split the probe is trained on (e.g. validation). */
  readonly probeTrain?: AnyDataset;
  readonly test: AnyDataset;
  readonly seed: number;
  readonly randomSeeds: number;
  readonly probeEpochs: number;
  readonly session?: SessionConfig;
  readonly onEvent?: EventSink;
}

const toGates = (keep: readonly boolean[][]): Float32Array[] => keep.map((k) => Float32Array.from(k, (v) => (v ? 1 : 0)));

function metrics(pass: DatasetPass, data: AnyDataset): AccuracyBreakdown {
  return multiBiasBreakdown(pass.predictions, data.y, data.biases, data.numClasses, data.biasClasses);
}

/**
 * The bias probe on z (linear + MLP) and on every gate site's pooled activations (linear), trained on one pass's
 * features (`trainPass` over `trainData`) and scored on another's. Every further bias attribute gets the probe on
 * z only (a site probe per attribute would multiply the cost for little insight).
 */
export function probeSummary(discovery: Discovery, trainPass: DatasetPass, testPass: DatasetPass, trainData: AnyDataset, testData: AnyDataset, o: { seed: number; epochs: number }): ProbeSummary {
  const classes = trainData.biasClasses[0];
  const [trainB, testB] = [trainData.biases[0], testData.biases[0]];
  const options = { seed: o.seed, epochs: o.epochs, mlp: true };
  const scores = runBiasProbe({ trainX: trainPass.z, trainB, testX: testPass.z, testB, dim: trainPass.zDim, classes }, options);
  const perLayer = discovery.sites.map((site) => {
    const trainX = trainPass.pooledSites.get(site.tensor) as Float32Array;
    const testX = testPass.pooledSites.get(site.tensor) as Float32Array;
    const accuracy = linearProbe({ trainX, trainB, testX, testB, dim: site.channels, classes }, { ...options, mlp: false }).accuracy;
    return { site: site.tensor, label: discovery.groups[site.group].label, accuracy };
  });
  const perBias = trainData.biases.slice(1).map((trainBk, i): AttributeProbeScores => {
    const k = i + 1;
    const data = { trainX: trainPass.z, trainB: trainBk, testX: testPass.z, testB: testData.biases[k], dim: trainPass.zDim, classes: trainData.biasClasses[k] };
    return { attribute: k, ...runBiasProbe(data, options) };
  });
  return perBias.length > 0 ? { ...scores, perLayer, perBias } : { ...scores, perLayer };
}

export async function assessSubnetwork(inputs: AssessInputs): Promise<Assessment> {
  const { model, discovery, gates, keep, test, probeTrain } = inputs;
  const emit: EventSink = inputs.onEvent ?? (() => undefined);
  const inference = await GatedInference.create(model, discovery, gates, { ...inputs.session, pooledSites: !!probeTrain, attentionMask: attentionMaskInput(test) });
  try {
    const all = gates.map((g) => new Float32Array(g.channels).fill(1));
    emit({ type: 'progress', phase: 'assess', done: 0, total: 4, message: 'evaluating vanilla and subnetwork' });
    const vanillaTest = await inference.run(test, all);
    const subnetTest = await inference.run(test, toGates(keep));
    const counts = keptCounts(keep);
    emit({ type: 'progress', phase: 'assess', done: 1, total: 4, message: 'baselines at equal sparsity' });
    const randoms: AccuracyBreakdown[] = [];
    for (let s = 0; s < inputs.randomSeeds; s++) randoms.push(metrics(await inference.run(test, toGates(randomMasks(discovery, counts, inputs.seed + s))), test));
    const magnitude = metrics(await inference.run(test, toGates(magnitudeMasks(model, discovery, counts))), test);
    let probe: Assessment['probe'] = null;
    if (probeTrain) {
      emit({ type: 'progress', phase: 'assess', done: 2, total: 4, message: 'latent bias probe' });
      const summary = async (gateValues: Float32Array[], testPass: DatasetPass): Promise<ProbeSummary> =>
        probeSummary(discovery, await inference.run(probeTrain, gateValues), testPass, probeTrain, test, { seed: inputs.seed, epochs: inputs.probeEpochs });
      probe = { vanilla: await summary(all, vanillaTest), subnetwork: await summary(toGates(keep), subnetTest) };
    }
    emit({ type: 'progress', phase: 'assess', done: 4, total: 4 });
    return {
      vanilla: metrics(vanillaTest, test),
      subnetwork: metrics(subnetTest, test),
      // --random-seeds 0 asks for no random baseline.
      baselines: [
        ...(randoms.length > 0 ? [{ name: 'random', metrics: meanBreakdown(randoms), seeds: inputs.randomSeeds }] : []),
        { name: 'magnitude', metrics: magnitude },
      ],
      probe,
    };
  } finally {
    await inference.release();
  }
}
