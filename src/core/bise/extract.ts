/**
 * BISE mask learning (../shared/docs/BISE.md): the model's weights stay frozen; one mask logit per unit (per
 * dependency group) is learned with straight-through gates 1{m ≥ 0}, minimising α·reweighted CE + γ·Σ MI(b̂, b)
 * from one auxiliary head per bias attribute on the bottleneck. τ is annealed; the heads are pretrained, trained
 * jointly on detached z, and retrained on the current subnetwork after every τ step. The mask with the best
 * unbiased validation accuracy (or the last) is returned. A first epoch that collapsed to chance restarts once
 * from a safer initial mask logit, or stops, or is noted (config.onCollapse). Once no unit can change its gate for
 * the rest of the schedule, mask learning stops early with the masks the full schedule gives (config.earlyStop).
 */
import { Model } from '../onnx/ir';
import { AnyDataset, batchIndices, isTokenDataset } from '../data/dataset';
import { AnyBatch, isTokenBatch, readBatches } from '../data/streaming/read-batches';
import { inputsByName } from '../data/text/token-feeds';
import { createRng, deriveSeed } from '../data/random';
import { trainingSampleWeights } from '../data/group-weights';
import { FusedStepRunner } from '../runtime/fused-step-runner';
import { lossFeeds } from '../graphs/loss-graph';
import { InputData } from '../graphs/model-inputs';
import { SessionConfig } from '../runtime/session';
import { DiscoverOptions, Discovery } from '../units/discover';
import { GateInput } from '../graphs/gated-forward';
import { AuxHead } from './aux-head';
import { trainAuxHead } from './aux-training';
import { ExtractConfig, checkExtractConfig, tauAt } from './config';
import { argmaxRows, weightedCrossEntropy } from './cross-entropy';
import { EpochEvent, EventSink, throwIfCancelled } from './events';
import { gateValues, maskGradient } from './gate';
import { GatedInference } from './gated-inference';
import { accuracyBreakdown } from '../metrics/group-accuracy';
import { biasTerms } from './bias-terms';
import { Sgd } from './sgd';
import { collapseReason, saferMaskInit } from './collapse';
import { EarlyStopRecord, earlyStopMessage, remainingSchedule, replaySettledSchedule } from './early-stop';
import { SettledGroup, mergeSettled, settledUnits } from './settled-units';
import { SpecialisationPolicy } from './specialisation-policy';

export interface ExtractInputs {
  readonly model: Model;
  /** Images, or token ids fitted to the model's inputs (the graphs are then built at its sequence length). */
  readonly train: AnyDataset;
  /** Unbiased validation set for model selection (optional: without it the last mask is kept). */
  readonly val?: AnyDataset;
  readonly config: ExtractConfig;
  readonly discover?: DiscoverOptions;
  readonly session?: SessionConfig;
  readonly onEvent?: EventSink;
  readonly signal?: AbortSignal;
}

/**
 * Steps a unit stays pruned (and a gate vector's units kept) before the step graphs assume it: of the pruned
 * stretches that ended in the first 115 steps of the SimpleConvNet run specialisation-policy.ts cites, 34 of 35 were shorter than 50 steps
 * (the longest 70), so a rebuild forced by a unit's return is rare, while a unit pruned for good is skipped after one
 * epoch of that run's length or so.
 */
const SETTLE_STEPS = 50;

/** A collapse after the first epoch: why, what the run did, the initial mask logits before and after. */
export interface CollapseRecord {
  readonly reason: string;
  /** Units kept after the collapsed epoch. */
  readonly keptUnits: number;
  readonly maskInit: number;
  readonly action: 'restarted' | 'continued';
  readonly restartMaskInit?: number;
}

export interface ExtractResult {
  readonly discovery: Discovery;
  readonly gates: readonly GateInput[];
  /** Mask logits per gate vector (group) of the selected epoch. */
  readonly masks: Float32Array[];
  readonly history: EpochEvent[];
  readonly selectedEpoch: number;
  readonly msPerStep: number;
  /** Set when the first epoch collapsed to chance (collapse.ts) and the run restarted or carried on. */
  readonly collapse?: CollapseRecord;
  /** Set when every unit settled before the schedule's end and mask learning stopped there (early-stop.ts). */
  readonly earlyStop?: EarlyStopRecord;
  readonly seconds: number;
}

export async function extractSubnetwork(inputs: ExtractInputs): Promise<ExtractResult> {
  const { model, train, val, onEvent, signal } = inputs;
  const config = checkExtractConfig(inputs.config);
  const emit: EventSink = onEvent ?? (() => undefined);
  const started = performance.now();
  const sequence = isTokenDataset(train) ? { sequenceLength: train.sequenceLength } : {};
  // Every gate starts open (mask init ≥ 0) or the first maybeSpecialize rebuilds: start specialised for open gates.
  // One session per step computes the loss gradients too (fused-step-runner.ts): γ·dMI/dz through each bias attribute's head.
  const stepLoss = { headClasses: train.biasClasses, gamma: config.gamma };
  const runner = await FusedStepRunner.create(model, { ...inputs.discover, batchSize: config.batchSize, ...sequence, sharing: 'group' }, stepLoss, inputs.session, 'open-gates');
  const { discovery, gates } = runner.graphs;
  const inference = await GatedInference.create(model, discovery, gates, inputs.session);
  try {
    if (discovery.groups.length === 0) throw new Error('no prunable units were found in the encoder; nothing to learn');
    const K = train.numClasses;
    const zDim = runner.graphs.bottleneckDims.slice(1).reduce((a, b) => a * b, 1);
    const auxConfig = { lr: config.auxLr, momentum: config.auxMomentum, weightDecay: config.auxWeightDecay };
    const weights = config.reweighting === 'group' ? trainingSampleWeights(train) : undefined;
    const totalUnits = gates.reduce((s, g) => s + g.channels, 0);
    /** Unbiased validation accuracy and the number of distinct classes predicted, for these gates. */
    const valPass = async (set: AnyDataset, gateValuesByGroup: readonly Float32Array[]) => {
      const onBatch = (done: number, total: number): void => emit({ type: 'progress', phase: 'validate', done, total, message: 'unbiased validation accuracy' });
      const predictions = (await inference.run(set, gateValuesByGroup, { onBatch, signal })).predictions;
      return { accuracy: accuracyBreakdown(predictions, set.y, set.biases[0], K, set.biasClasses[0]).unbiasedAccuracy, classes: new Set(predictions).size };
    };
    // The vanilla model's validation accuracy: what a collapsed first epoch is measured against.
    const vanilla = val ? await valPass(val, gates.map((g) => new Float32Array(g.channels).fill(1))) : null;
    let steps = 0;
    let stepMs = 0;

    /** One run of the schedule from `maskInit`; stops after the first epoch when it collapsed and `stopOnCollapse`. */
    const learn = async (maskInit: number, attempt: number, stopOnCollapse: boolean) => {
      const rng = createRng(deriveSeed(config.seed, 'aux-init', ...(attempt > 0 ? [attempt] : [])));
      const heads = train.biasClasses.map((bc) => new AuxHead(zDim, bc, rng, auxConfig));
      const masks = gates.map((g) => new Float32Array(g.channels).fill(maskInit));
      const maskOptimizer = new Sgd({ lr: config.maskLr, momentum: config.maskMomentum, weightDecay: config.maskWeightDecay });
      const specialisation = new SpecialisationPolicy(masks, { settleSteps: SETTLE_STEPS, respecializeFraction: config.respecializeFraction });
      const retrainHeads = async (why: string): Promise<void> => {
        emit({ type: 'progress', phase: 'aux-head', done: 0, total: 1, message: `training the auxiliary head(s) for ${config.auxEpochs} epochs (${why})` });
        // The bottleneck features of the whole training set (minutes on a large streamed set): one step per batch,
        // then one for the heads' epochs on them.
        let batches = 0;
        const onBatch = (done: number, total: number): void => {
          batches = total;
          emit({ type: 'progress', phase: 'aux-head', done, total: total + 1, message: 'bottleneck features of the training set' });
        };
        const pass = await inference.run(train, masks.map(gateValues), { onBatch, signal });
        heads.forEach((h, k) => trainAuxHead(h, pass.z, pass.zDim, train.biases[k], config.auxEpochs, config.batchSize, deriveSeed(config.seed, 'aux', why, k)));
        emit({ type: 'progress', phase: 'aux-head', done: batches + 1, total: batches + 1 });
      };
      await retrainHeads('pretraining');

      const history: EpochEvent[] = [];
      let best = { epoch: -1, accuracy: -1, masks: masks.map((m) => Float32Array.from(m)) };
      let collapse: string | null = null;
      let earlyStop: EarlyStopRecord | undefined;
      /** Per gate vector, the units whose gate can no longer change; a later step graph may skip their gate gradients. */
      let settled: SettledGroup[] = [];
      for (let epoch = 0; ; epoch++) {
        const tau = tauAt(config, epoch);
        if (tau === undefined) break;
        if (epoch > 0 && tau !== tauAt(config, epoch - 1)) await retrainHeads(`τ = ${tau}`);
        const epochStart = performance.now();
        const batches = batchIndices(train.y.length, { batchSize: config.batchSize, seed: deriveSeed(config.seed, 'epoch', epoch), dropLast: true });
        if (batches.length === 0) throw new Error(`the training set has ${train.y.length} samples, fewer than one batch of ${config.batchSize}`);
        let sums = { loss: 0, ce: 0, mi: 0, correct: 0, auxCorrect: 0, seen: 0 };
        for await (const [b, batch] of readBatches(train, batches)) {
          throwIfCancelled(signal);
          await maybeSpecialize(runner, specialisation, masks);
          const t0 = performance.now();
          const idx = batch.indices;
          const g = masks.map(gateValues);
          const sampleWeights = weights ? Array.from(idx, (i) => weights[i]) : undefined;
          // The heads' weights before their own step below: the MI gradient uses them, as the unfused step did.
          const feeds = lossFeeds(runner.loss, { y: batch.y, alpha: config.alpha, sampleWeights, biases: batch.biases, heads, miSamples: config.miSamples });
          const step = await runner.step(batchInputs(runner, batch), g, feeds);
          const n = idx.length;
          // The loss values in float64 from the step's logits and z (its gradients came from the graph).
          const ce = weightedCrossEntropy(step.logits, batch.y, K, sampleWeights);
          if (!Number.isFinite(ce.loss)) throw new Error(`mask learning diverged at epoch ${epoch + 1}: the loss is ${ce.loss}; check the model's outputs on this data`);
          const z = Float32Array.from(step.z); // detached copy for the heads
          const bias = biasTerms(heads, z, batch.y, batch.biases, { miSamples: config.miSamples, gamma: 0 });
          const miTotal = bias.mutualInformation;
          sums.auxCorrect += bias.perHead[0].correct;
          masks.forEach((m, i) => maskOptimizer.step(m, maskGradient(m, tau, step.gateGrads[i])));
          heads.forEach((head, k) => head.trainStep(z, batch.biases[k]));
          const pred = argmaxRows(step.logits, n, K);
          for (let i = 0; i < n; i++) sums.correct += pred[i] === batch.y[i] ? 1 : 0;
          sums = { ...sums, loss: sums.loss + config.alpha * ce.loss + config.gamma * miTotal, ce: sums.ce + ce.loss, mi: sums.mi + miTotal, seen: sums.seen + n };
          stepMs += performance.now() - t0;
          steps++;
          emit({ type: 'progress', phase: 'extract', done: b + 1, total: batches.length, message: `epoch ${epoch + 1}, τ = ${tau}` });
        }
        const checked = val ? await valPass(val, masks.map(gateValues)) : null;
        const valAccuracy = checked ? checked.accuracy : null;
        const kept = masks.reduce((s, m) => s + m.reduce((c, v) => c + (v >= 0 ? 1 : 0), 0), 0);
        const event: EpochEvent = {
          type: 'epoch',
          epoch: epoch + 1,
          tau,
          loss: sums.loss / batches.length,
          crossEntropy: sums.ce / batches.length,
          mutualInformation: sums.mi / batches.length,
          trainAccuracy: sums.correct / sums.seen,
          auxAccuracy: sums.auxCorrect / sums.seen,
          valUnbiasedAccuracy: valAccuracy,
          keptUnits: kept,
          totalUnits,
          seconds: (performance.now() - epochStart) / 1000,
          msPerStep: stepMs / Math.max(1, steps),
        };
        history.push(event);
        emit(event);
        emit({ type: 'masks', epoch: epoch + 1, groups: discovery.groups.map((gr, i) => ({ group: gr.id, label: gr.label, logits: Array.from(masks[i]) })) });
        // Without an unbiased validation set the last mask is kept (BISE.md).
        if (config.selection === 'last' || valAccuracy === null || valAccuracy > best.accuracy) {
          best = { epoch: epoch + 1, accuracy: valAccuracy ?? 0, masks: masks.map((m) => Float32Array.from(m)) };
        }
        if (epoch === 0 && checked && vanilla) {
          collapse = collapseReason({ subnetworkAccuracy: checked.accuracy, vanillaAccuracy: vanilla.accuracy, classes: K, predictedClasses: checked.classes, vanillaPredictedClasses: vanilla.classes });
          if (collapse && stopOnCollapse) break;
        }
        if (config.earlyStop) {
          const remaining = remainingSchedule(config, epoch + 1, batches.length);
          settled = masks.map((m, i) => mergeSettled(settled[i], settledUnits(m, maskOptimizer.momentum(m), maskOptimizer.config, remaining)));
          const settledCount = settled.reduce((s, g) => s + g.count, 0);
          if (remaining.steps > 0 && settledCount === totalUnits) {
            const skippedSteps = replaySettledSchedule(masks, maskOptimizer, config, epoch + 1, batches.length);
            earlyStop = { epoch: epoch + 1, scheduledEpochs: epoch + 1 + remaining.epochs, settledUnits: settledCount, skippedSteps };
            emit({ type: 'log', level: 'info', message: earlyStopMessage(earlyStop) });
            emit({ type: 'early-stop', ...earlyStop });
            // The gates no longer change, so neither does the validation accuracy: a strictly better epoch cannot come,
            // and only a selection that takes the last epoch (or has no validation set) takes the replayed masks.
            if (config.selection === 'last' || valAccuracy === null) best = { epoch: earlyStop.scheduledEpochs, accuracy: valAccuracy ?? 0, masks: masks.map((m) => Float32Array.from(m)) };
            break;
          }
        }
      }
      return { history, best, collapse, earlyStop };
    };

    let run = await learn(config.maskInit, 0, config.onCollapse !== 'continue');
    let collapse: CollapseRecord | undefined;
    if (run.collapse) {
      const seen = `after epoch 1 with initial mask logit ${config.maskInit}, ${run.history[0].keptUnits} of ${totalUnits} units kept`;
      if (config.onCollapse === 'restart') {
        const safer = saferMaskInit(config.maskInit);
        emit({ type: 'log', level: 'warn', message: `the subnetwork collapsed ${seen}: ${run.collapse}; restarting with initial mask logit ${safer} (--on-collapse stop|continue to change this)` });
        collapse = { reason: run.collapse, keptUnits: run.history[0].keptUnits, maskInit: config.maskInit, action: 'restarted', restartMaskInit: safer };
        run = await learn(safer, 1, true);
        if (run.collapse) {
          throw new Error(`the subnetwork collapsed again after a restart with initial mask logit ${safer}: ${run.collapse}. Try a larger --mask-init, a smaller --mask-lr or --gamma; the vanilla model is unchanged`);
        }
      } else if (config.onCollapse === 'stop') {
        throw new Error(`the subnetwork collapsed ${seen}: ${run.collapse}; stopped (--on-collapse stop). Try --mask-init 0.1 or larger, or --on-collapse restart`);
      } else {
        emit({ type: 'log', level: 'warn', message: `the subnetwork collapsed ${seen}: ${run.collapse}; carrying on (--on-collapse continue)` });
        collapse = { reason: run.collapse, keptUnits: run.history[0].keptUnits, maskInit: config.maskInit, action: 'continued' };
      }
    }
    const { history, best, earlyStop } = run;
    return {
      discovery,
      gates,
      masks: best.masks,
      history,
      selectedEpoch: best.epoch,
      msPerStep: stepMs / Math.max(1, steps),
      seconds: (performance.now() - started) / 1000,
      ...(collapse && { collapse }),
      ...(earlyStop && { earlyStop }),
    };
  } finally {
    await runner.release();
    await inference.release();
  }
}

/** An image batch feeds the model's one input; a token batch its inputs by name. */
function batchInputs(runner: FusedStepRunner, batch: AnyBatch): Record<string, InputData> {
  if (isTokenBatch(batch)) return inputsByName(batch);
  const inputs = runner.graphs.inputs;
  if (inputs.length !== 1) throw new Error(`the model has ${inputs.length} data inputs (${inputs.map((v) => v.name).join(', ')}); an image dataset feeds exactly one`);
  return { [runner.graphs.input]: batch.x };
}

/**
 * Before each step: record the masks and rebuild the step's specialisation when the policy asks
 * (specialisation-policy.ts: when they break its assumptions, or enough units settled pruned beyond them).
 */
async function maybeSpecialize(runner: FusedStepRunner, policy: SpecialisationPolicy, masks: readonly Float32Array[]): Promise<void> {
  if (masks.length === 0) return;
  policy.observe(masks);
  const plan = policy.decide({ pruned: runner.specializedPruned(), ones: runner.specializedOnes() }, masks);
  if (plan) await runner.specialize(plan.pruned, {}, plan.ones);
}
